-- The audit log: who opened, exported, assigned, decided or deleted what. Record ids and
-- actions only, never content. Each entry carries the hash of the one before and its own hash,
-- signed by its author's ed25519 key, so an edited, removed or inserted entry breaks the chain
-- (`confide audit verify`); the head is also kept in the keyring, so entries cut off the end
-- are found too.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,   -- the author's signing public key, hex
    action    TEXT NOT NULL,
    record    TEXT NOT NULL,   -- e.g. 'conversation:42'
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    signature TEXT NOT NULL
) STRICT;

-- Append-only for the app itself; the chain is what catches anyone who goes round this.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
