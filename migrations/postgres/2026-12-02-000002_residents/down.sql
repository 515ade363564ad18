DROP INDEX participants_phone;
ALTER TABLE participants DROP COLUMN consented_at;
ALTER TABLE participants DROP COLUMN device_id;
ALTER TABLE contests DROP COLUMN unit_kinds;
ALTER TABLE contests DROP COLUMN min_age;
ALTER TABLE contests DROP COLUMN requires_id_number;
