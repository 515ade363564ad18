-- The contest engine (issue: one engine, the promises that broke). Keep in step with ../../sqlite/.

-- Promise 1: the effective pool of a round (its frozen pool minus voided
-- questions) has a version; a start draws from the version it read, and
-- records the draw's version and the questions it excluded.
ALTER TABLE rounds ADD COLUMN pool_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN draw_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE attempts ADD COLUMN excluded TEXT NOT NULL DEFAULT '[]';
CREATE INDEX round_pool_question ON round_pool(question_id);
CREATE INDEX attempts_round ON attempts(round_id, state);

-- Promise 5: one rank key per entry, under one index (empty until the
-- entries are rebuilt at start).
ALTER TABLE round_entries ADD COLUMN max_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_entries ADD COLUMN rank_key TEXT COLLATE "C" NOT NULL DEFAULT '';
DROP INDEX round_entries_rank;
CREATE INDEX round_entries_rank ON round_entries(round_id, rank_key);

-- Standings across a contest's ranked rounds, kept with the round entries.
CREATE TABLE contest_entries (
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    participant_id BIGINT NOT NULL REFERENCES participants(id),
    unit_id BIGINT REFERENCES units(id),
    rounds INTEGER NOT NULL,
    score BIGINT NOT NULL,
    prediction_gaps INTEGER NOT NULL,
    prediction_error BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    last_submitted_at TIMESTAMP NOT NULL,
    rank_key TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (contest_id, participant_id)
);
CREATE INDEX contest_entries_rank ON contest_entries(contest_id, rank_key);

-- A contest's own corrections of a question (void or a new key), read by
-- grading in that contest only.
CREATE TABLE question_fixes (
    contest_id BIGINT NOT NULL REFERENCES contests(id),
    question_id BIGINT NOT NULL REFERENCES questions(id),
    voided BOOLEAN NOT NULL DEFAULT FALSE,
    answer TEXT,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (contest_id, question_id)
);

-- Banks belong to the organizer who imported them (NULL: shipped or operator).
ALTER TABLE banks ADD COLUMN owner_id BIGINT REFERENCES users(id);

-- One row per logged-in device: logging out ends that device's session.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- /healthz writes here: a database that cannot commit is not healthy.
CREATE TABLE health_checks (
    id BIGINT PRIMARY KEY,
    checked_at TIMESTAMP NOT NULL
);
