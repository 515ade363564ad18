ALTER TABLE contests DROP COLUMN purged_at;
