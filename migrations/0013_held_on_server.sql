-- Whether a conversation carries the legal-hold keyword on the server (set by a manager on any
-- desktop). Kept with the other triage state that `refresh_triage` derives from keywords, so
-- retention asks one column instead of searching every message's flags.
ALTER TABLE conversations ADD COLUMN held_on_server INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET held_on_server = 1
 WHERE EXISTS (SELECT 1 FROM messages m JOIN mail_messages mm ON mm.message_row = m.id
               WHERE m.conversation_id = conversations.id AND (' ' || mm.flags || ' ') LIKE '% Confide.Hold %');
