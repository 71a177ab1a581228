-- Live chats from the webchat gateway: each is a conversation (channel 'webchat') on its line,
-- its messages kept like email's. `stored` counts the chat's messages held here, in the
-- gateway's order, so a history replayed after a reconnect adds only what is new.
CREATE TABLE webchats (
    chat_id         TEXT PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    stored          INTEGER NOT NULL DEFAULT 0,
    ended_at        INTEGER,
    -- When the transcript was confirmed in the shared mailbox's record folder.
    archived_at     INTEGER
) STRICT;
CREATE INDEX webchats_by_conversation ON webchats (conversation_id);
