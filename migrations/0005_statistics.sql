-- Anonymous statistics: what a conversation was, counted before it is destroyed, so the
-- helpline can still report once the record itself is gone. No free text, no ids: only the
-- month it began, channel, service line, a category ('all' for the conversation itself, else
-- one of the preset's exception categories it was flagged with) and its outcome (status).
CREATE TABLE statistics (
    month      TEXT NOT NULL,
    channel    TEXT NOT NULL,
    line_id    TEXT NOT NULL,
    category   TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (month, channel, line_id, category, outcome)
) STRICT;
