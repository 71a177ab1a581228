-- Blocked senders (issue 24), as this desktop resolved them from the team's library: an
-- address (`sam@example.org`) or a whole domain (`@example.org`) per line. Their mail is kept
-- out of the inbox (`conversations.blocked`) and expires by the preset's `blocked` class
-- where it sets one, else with the email class.
CREATE TABLE sender_blocks (
    line_id    TEXT NOT NULL,
    pattern    TEXT NOT NULL,
    -- Who blocked it (signing key) and when, for the list a team leader reviews.
    blocked_by TEXT NOT NULL,
    blocked_at INTEGER NOT NULL,
    PRIMARY KEY (line_id, pattern)
) STRICT;
ALTER TABLE conversations ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
