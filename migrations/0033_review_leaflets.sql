-- The leaflets a reply under review attaches (issue 24): their library ids, as a JSON array.
ALTER TABLE reply_reviews ADD COLUMN leaflets TEXT NOT NULL DEFAULT '[]';
