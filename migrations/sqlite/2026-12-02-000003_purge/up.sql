-- When an organizer purged the contest's personal data (NULL: not purged).
ALTER TABLE contests ADD COLUMN purged_at TIMESTAMP;
