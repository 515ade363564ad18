-- Residents register per contest, without a password.
-- What a contest asks of them:
ALTER TABLE contests ADD COLUMN requires_id_number BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contests ADD COLUMN min_age INTEGER;
-- Comma-separated unit kinds a resident may choose ('' = every unit).
ALTER TABLE contests ADD COLUMN unit_kinds TEXT NOT NULL DEFAULT '';
-- participants.code holds an HMAC of (contest, phone, code), never the code.
-- The device that registered (a random id in the participant cookie), for
-- the organizer's flag on many registrations from one device.
ALTER TABLE participants ADD COLUMN device_id TEXT;
ALTER TABLE participants ADD COLUMN consented_at TIMESTAMP;
-- One entry per phone in a contest (officials have no phone: NULLs differ).
CREATE UNIQUE INDEX participants_phone ON participants(contest_id, phone);
