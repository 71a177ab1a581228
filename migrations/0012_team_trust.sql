-- The team directory's founding manager as this desktop first saw them (trust on first use):
-- their signing key, pinned, so a later "founder" on the server cannot take the team over.
CREATE TABLE team_trust (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    root_key  TEXT NOT NULL,
    pinned_at INTEGER NOT NULL
) STRICT;
