-- The service lines this staff member works on (a JSON array of the preset's line ids). An
-- advisor sees, searches and opens only these: the line firewall. Managers work on every line.
-- '[]' is a profile made before lines were chosen, when everyone saw every line; it still does.
ALTER TABLE staff_profile ADD COLUMN lines TEXT NOT NULL DEFAULT '[]';
