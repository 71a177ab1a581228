-- The desktop store. The whole file is SQLCipher-encrypted; bodies, attachments, scans and
-- transcripts are additionally age-encrypted in `blobs`, so a leaked page of the database
-- still yields no content.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Who uses this desktop. One row: a store belongs to one staff member.
CREATE TABLE staff_profile (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    preset_id    TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- Every acceptance of a confidentiality agreement, kept: who, when, which policy version.
CREATE TABLE agreement_acceptances (
    id                INTEGER PRIMARY KEY,
    preset_id         TEXT NOT NULL,
    preset_version    TEXT NOT NULL,
    agreement_version TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    role              TEXT NOT NULL,
    accepted_at       INTEGER NOT NULL
) STRICT;

-- Mail accounts. Passwords are in the OS keyring, never here.
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('shared', 'personal')),
    address       TEXT NOT NULL,
    username      TEXT NOT NULL,
    imap_host     TEXT NOT NULL,
    imap_port     INTEGER NOT NULL,
    imap_security TEXT NOT NULL CHECK (imap_security IN ('tls', 'starttls')),
    smtp_host     TEXT NOT NULL,
    smtp_port     INTEGER NOT NULL,
    smtp_security TEXT NOT NULL CHECK (smtp_security IN ('tls', 'starttls')),
    ca_file       TEXT,
    created_at    INTEGER NOT NULL
) STRICT;

-- Service-line addresses of a shared account (e.g. phoneline@ and mensadvice@ on helpline@).
CREATE TABLE account_lines (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address    TEXT NOT NULL,
    line_id    TEXT NOT NULL,
    PRIMARY KEY (account_id, address)
) STRICT;

-- age ciphertexts. Nothing in here is readable without the staff member's identity.
CREATE TABLE blobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Channel-neutral conversations: email now, webchat and letters later.
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'webchat', 'letter')),
    line_id          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'in_progress', 'waiting', 'closed')),
    subject          TEXT NOT NULL DEFAULT '',
    correspondent    TEXT NOT NULL DEFAULT '',
    preview          TEXT NOT NULL DEFAULT '',
    assignee         TEXT,
    risk_flags       TEXT NOT NULL DEFAULT '[]',
    unread           INTEGER NOT NULL DEFAULT 1,
    message_count    INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
) STRICT;
CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_line ON conversations (line_id, last_activity_at DESC, id DESC);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author          TEXT NOT NULL DEFAULT '',
    sent_at         INTEGER NOT NULL,
    body_blob       INTEGER NOT NULL REFERENCES blobs(id)
) STRICT;
CREATE INDEX messages_by_conversation ON messages (conversation_id, sent_at);

-- Full-text index, one row per message (rowid = messages.id). Contentless: only the term
-- index is stored (inside the encrypted file), and contentless_delete lets retention remove a
-- message's terms for real.
CREATE VIRTUAL TABLE message_fts USING fts5(
    subject, correspondent, body,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
