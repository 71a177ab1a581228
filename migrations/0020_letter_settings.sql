-- Where the office scanner saves on this computer (a team leader's or manager's choice): scans
-- waiting there are offered for import, and removed from it once imported.
CREATE TABLE letter_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    scanner_folder TEXT NOT NULL
) STRICT;
