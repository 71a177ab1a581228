-- Issue 23: what a folder held at the end of its last complete pass (EXISTS and UIDNEXT). On
-- a server without CONDSTORE/QRESYNC (Exchange Online), the same two numbers at the next
-- EXAMINE mean no message was added or expunged since (UIDs only grow), so the pass skips
-- listing every UID.
ALTER TABLE mail_folders ADD COLUMN last_exists INTEGER;
ALTER TABLE mail_folders ADD COLUMN last_uidnext INTEGER;
