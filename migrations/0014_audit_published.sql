-- How far this desktop's audit log has been published to the server (`Confide/Audit`,
-- encrypted to the managers). Entries after `upto` are sent with the next batch.
CREATE TABLE audit_published (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL
) STRICT;
