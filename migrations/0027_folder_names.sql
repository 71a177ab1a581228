-- Issue 23: an account's own names for its Sent and Deleted Items folders, where the server
-- marks neither (no SPECIAL-USE) and they are not in English (JSON; NULL: the usual names).
ALTER TABLE accounts ADD COLUMN folder_names TEXT;
