-- Whether this desktop's person has been told of the decision on their reply (issue 24).
ALTER TABLE reply_reviews ADD COLUMN told INTEGER NOT NULL DEFAULT 0;
