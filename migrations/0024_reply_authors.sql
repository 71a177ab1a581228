-- Who wrote each reply sent from Confide, by key fingerprint, for quality sampling: learned from
-- the sealed state entries in the shared mailbox (once a keyword on the Sent copy, readable by
-- anyone administering the mailbox, and refused by Exchange Online).
CREATE TABLE reply_authors (
    message_id TEXT PRIMARY KEY,
    author     TEXT NOT NULL
) STRICT;
