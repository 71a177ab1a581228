-- Internal notes on a conversation (issue 24), as this desktop read them from the shared
-- triage state: for the line's staff, never sent to the service user. The text is sealed to
-- this desktop like a message body; a note goes with its conversation.
CREATE TABLE conversation_notes (
    -- The state entry's record id: a note is kept once however often the state is followed.
    id              TEXT PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    -- The writer's encryption-key fingerprint (the team directory names them).
    author          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    body            BLOB NOT NULL,
    -- It names this desktop's person (`@work name`), and whether they have been told.
    mentions_me     INTEGER NOT NULL DEFAULT 0,
    told            INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX conversation_notes_by_conversation ON conversation_notes (conversation_id, created_at);
