-- Crypto-shredding. Each blob's age header (its file key, wrapped to the staff member's key)
-- lives apart from the bulky payload, in small rows that are overwritten when deleted
-- (secure_delete); the payload's pages can then be freed without overwriting, because
-- without its header no key opens it. Existing blobs are split here once.
CREATE TABLE blob_keys (
    blob_id INTEGER PRIMARY KEY,
    header  BLOB NOT NULL
) STRICT;

-- n: the header's length. It ends at the newline after "\n--- <mac>" (age's binary format).
CREATE TEMP TABLE blob_split AS
    SELECT id, p + instr(substr(data, p + 1), X'0A') AS n
    FROM (SELECT id, data, instr(data, X'0A2D2D2D20') AS p FROM blobs)
    WHERE p > 0;
INSERT INTO blob_keys (blob_id, header)
    SELECT b.id, substr(b.data, 1, s.n) FROM blobs b JOIN blob_split s ON s.id = b.id;
UPDATE blobs SET data = substr(data, (SELECT n FROM blob_split WHERE blob_split.id = blobs.id) + 1)
    WHERE id IN (SELECT id FROM blob_split);
DROP TABLE blob_split;
