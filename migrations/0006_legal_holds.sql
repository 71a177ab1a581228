-- Legal hold: a manager keeps a conversation past its retention period (a court order, say),
-- with the reason. The retention engine skips it and says so in every run.
CREATE TABLE legal_holds (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    -- The manager's key fingerprint, never a name.
    held_by         TEXT NOT NULL,
    held_at         INTEGER NOT NULL
) STRICT;
