-- The webchat gateway this desktop's advisor connects to. The credential a manager issued is
-- in the keyring, never here.
CREATE TABLE webchat_gateway (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    url TEXT NOT NULL
) STRICT;
