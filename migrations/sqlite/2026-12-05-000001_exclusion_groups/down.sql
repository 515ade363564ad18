ALTER TABLE questions DROP COLUMN exclusion_group;
