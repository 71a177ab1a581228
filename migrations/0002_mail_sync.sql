-- IMAP sync state. A message is known by (account, folder, uidvalidity, uid); the unique key
-- is what makes a resumed or repeated sync unable to store a message twice.

CREATE TABLE mail_folders (
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    special_use    TEXT,
    uidvalidity    INTEGER NOT NULL,
    -- Every UID up to and including this one has been fetched and committed.
    synced_uid     INTEGER NOT NULL DEFAULT 0,
    highestmodseq  INTEGER,
    PRIMARY KEY (account_id, name)
) STRICT;

CREATE TABLE mail_messages (
    id              INTEGER PRIMARY KEY,
    account_id      TEXT NOT NULL,
    folder          TEXT NOT NULL,
    uidvalidity     INTEGER NOT NULL,
    uid             INTEGER NOT NULL,
    message_row     INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    flags           TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (account_id, folder) REFERENCES mail_folders(account_id, name) ON DELETE CASCADE,
    UNIQUE (account_id, folder, uidvalidity, uid)
) STRICT;
CREATE INDEX mail_messages_by_row ON mail_messages (message_row);

-- Message-IDs seen, for threading by In-Reply-To / References.
CREATE TABLE message_ids (
    message_id      TEXT PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE
) STRICT;

ALTER TABLE messages ADD COLUMN message_id TEXT;
