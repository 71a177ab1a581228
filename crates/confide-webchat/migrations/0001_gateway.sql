-- The gateway's state: routing facts and ciphertext only. A chat's messages are each
-- age-encrypted to its line's staff before they are written, so this file (and a seized disk)
-- holds no chat text. No address, user agent or cookie of a visitor is ever stored.
CREATE TABLE chats (
    id          TEXT PRIMARY KEY,
    line        TEXT NOT NULL,
    -- SHA-256 of the token the visitor's page holds (in memory) to resume after a dropped connection.
    resume_hash TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'ended')),
    -- The name the advisor chats under, once one accepted.
    advisor     TEXT,
    created_at  INTEGER NOT NULL  -- unix milliseconds
) STRICT;

CREATE TABLE chat_messages (
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    sealed  BLOB NOT NULL,
    PRIMARY KEY (chat_id, seq)
) STRICT;
