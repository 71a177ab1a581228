-- Snooze (issue 24): a conversation is kept out of the open list until `snoozed_until` (unix
-- seconds), as the shared triage state says. `snoozed_at` is when it was snoozed: mail that
-- came in after it wakes the conversation (a service user writing again is never hidden).
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
ALTER TABLE conversations ADD COLUMN snoozed_at INTEGER;
