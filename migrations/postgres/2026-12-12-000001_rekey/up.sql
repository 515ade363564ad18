-- Fixing a wrong key. A contest's correction may correct the explanation
-- too (NULL: the bank's stays), and every attempt whose score a correction
-- changed keeps a line of it, which its result page shows.
-- Keep in step with ../../sqlite/ (same version).
ALTER TABLE question_fixes ADD COLUMN explanation TEXT;
CREATE TABLE score_changes (
    id BIGSERIAL PRIMARY KEY,
    attempt_id BIGINT NOT NULL REFERENCES attempts(id),
    question_id BIGINT NOT NULL REFERENCES questions(id),
    voided BOOLEAN NOT NULL,
    old_score INTEGER NOT NULL,
    old_max_score INTEGER NOT NULL,
    new_score INTEGER NOT NULL,
    new_max_score INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX score_changes_attempt ON score_changes(attempt_id);
