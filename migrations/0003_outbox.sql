-- Replies on their way out. A reply is written here (encrypted) before anything is sent, so a
-- failure at any step loses nothing; the state says which step comes next, so a retry never
-- sends twice: queued/failed -> SMTP -> sent -> APPEND to the shared Sent -> row removed (the
-- Sent copy comes back through sync and joins its thread).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL UNIQUE,
    raw_blob        INTEGER NOT NULL REFERENCES blobs(id),
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    -- Whether the failure happened after SMTP accepted the message (then only filing is retried).
    smtp_done       INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
