-- The retention record: what was moved or destroyed, when, how many, from where. Never
-- content, never an address or a name: a manager can show it to anyone. Appended to only.
CREATE TABLE retention_record (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    -- What happened: 'guard_moved' (a personal copy moved to the shared mailbox), ...
    action       TEXT NOT NULL,
    -- The preset's record class, where one applies.
    record_class TEXT,
    from_place   TEXT NOT NULL DEFAULT '',
    to_place     TEXT NOT NULL DEFAULT '',
    count        INTEGER NOT NULL,
    -- The dates the items themselves carry (day, unix seconds), oldest and newest.
    oldest       INTEGER,
    newest       INTEGER
) STRICT;
