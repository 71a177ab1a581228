-- Conversations whose facts are already in the statistics while their destruction is under way.
-- A run counts before it expunges on the server; if it is killed after that, the next sync
-- removes the local copies (the server no longer has them) without counting, and the next run
-- does not count these again. The row goes with its conversation.
CREATE TABLE retention_counted (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE
) STRICT;
