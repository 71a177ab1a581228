-- Threads moved away from this desktop's lines by a manager: the SHA-256 of each Message-ID
-- of the conversation, kept after its rows are deleted, so a later reply in the thread that
-- arrives without the line keyword is passed over here too instead of starting a new
-- conversation on the old line.
CREATE TABLE moved_threads (
    id_hash TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
