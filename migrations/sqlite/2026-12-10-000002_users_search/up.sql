-- What the users page searches: username, name (without diacritics, lower
-- case), email and phone, written by hoithi with every change ('' for rows
-- from before this migration, filled in at the next start).
-- Keep in step with ../../postgres/ (same version).
ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
