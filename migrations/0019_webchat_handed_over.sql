-- A chat this advisor transferred to a colleague: no longer theirs to answer or to archive
-- (the colleague archives it). The messages kept so far stay, under retention like any.
ALTER TABLE webchats ADD COLUMN handed_over_at INTEGER;
