-- Deleting a parent row makes SQLite look for children through each foreign key; without an
-- index on the child column that is a full scan per deleted row (retention removing 50k
-- messages took minutes). Every foreign-key column used in deletes gets an index.
CREATE INDEX messages_by_blob ON messages (body_blob);
CREATE INDEX message_ids_by_conversation ON message_ids (conversation_id);
CREATE INDEX outbox_by_conversation ON outbox (conversation_id);
CREATE INDEX outbox_by_blob ON outbox (raw_blob);
