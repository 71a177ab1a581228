-- Legal holds as sealed state entries (issue 23): a conversation held by the team's state, and
-- the places in the shared mailbox of held conversations this desktop does not hold itself
-- (another line's), which its retention sweep must leave alone. Holds once kept as the
-- `Confide.Hold` keyword (held_on_server) are still honoured.
ALTER TABLE conversations ADD COLUMN held_in_state INTEGER NOT NULL DEFAULT 0;
CREATE TABLE held_places (
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    PRIMARY KEY (folder, uidvalidity, uid)
) STRICT;
