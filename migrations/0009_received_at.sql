-- When a message arrived on the server (IMAP INTERNALDATE), beside the date it claims (its Date
-- header, `sent_at`). Retention needs both to have passed: a sender's wrong clock must not
-- shorten the period. NULL where the server gave none (and for rows from before this column).
ALTER TABLE messages ADD COLUMN received_at INTEGER;
