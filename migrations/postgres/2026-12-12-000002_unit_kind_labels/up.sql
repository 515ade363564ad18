-- How pages name a unit's kind ("Xã", "Sở, ban, ngành"): data that comes
-- with the units file (its kind_label column), never a list in the code.
-- Rows from before this migration get '' and are named at the next start
-- from the shipped units file where it has their kind; pages show the
-- kind as written until then.
-- Keep in step with ../../sqlite/ (same version).
ALTER TABLE units ADD COLUMN kind_label TEXT NOT NULL DEFAULT '';
