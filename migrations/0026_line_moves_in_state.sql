-- Line moves as sealed state entries (issue 23), so a manager routes mail on servers that keep
-- no keywords (Exchange Online). A desktop whose lines gain a thread it never stored learns
-- the thread's Message-IDs (hashed, as moved_threads) with the line they now belong to, and the
-- places in the shared mailbox to fetch them from; the next sync fetches and stores them.
CREATE TABLE moved_to_line (
    id_hash TEXT PRIMARY KEY,
    line_id TEXT NOT NULL
) STRICT;
CREATE TABLE wanted_places (
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    PRIMARY KEY (folder, uidvalidity, uid)
) STRICT;
