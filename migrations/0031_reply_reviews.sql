-- Replies waiting for review (issue 24), as this desktop read them from the shared triage
-- state: a reply by someone in training, and the first decision on it by a team leader or
-- manager of its line. Texts are sealed to this desktop like message bodies; a review goes
-- with its conversation.
CREATE TABLE reply_reviews (
    -- The draft's id, as its state entry names it: kept once however often the state is followed.
    draft           TEXT PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    -- The writer's encryption-key fingerprint (the team directory names them).
    author          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- The reply as its writer left it.
    body            BLOB NOT NULL,
    -- NULL while it waits; then 'approved' or 'returned', by whom and when.
    decision        TEXT CHECK (decision IN ('approved', 'returned')),
    decided_by      TEXT,
    decided_at      INTEGER,
    -- Approved: the reply as it goes (the reviewer may have edited it); returned: the comment.
    decided_body    BLOB,
    -- The approved reply's Message-ID, fixed by the reviewer so it is sent once, by them.
    message_id      TEXT,
    -- The reviewer's desktop has put the approved reply in its outbox.
    queued          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX reply_reviews_by_conversation ON reply_reviews (conversation_id, created_at);
