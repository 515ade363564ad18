-- hoithi initial schema (SQLite). Keep in step with ../../postgres/ (same version, same tables).
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES units(id),
    staff_count INTEGER NOT NULL DEFAULT 0,
    population INTEGER
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'organizer', 'unit_manager', 'official')),
    unit_id INTEGER REFERENCES units(id),
    disabled BOOLEAN NOT NULL DEFAULT 0,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE banks (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    topic TEXT NOT NULL,
    replaced_documents TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id),
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'superseded', 'retired')),
    kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'true_false')),
    difficulty TEXT NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    text TEXT NOT NULL,
    options TEXT NOT NULL,
    answer TEXT NOT NULL,
    explanation TEXT NOT NULL,
    source TEXT NOT NULL,
    fixed_order BOOLEAN NOT NULL DEFAULT 0,
    as_of DATE,
    voided BOOLEAN NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (bank_id, key, version)
);
CREATE INDEX questions_draw ON questions(bank_id, state, difficulty);

CREATE TABLE contests (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    rules TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL CHECK (audience IN ('officials', 'public', 'both')),
    status TEXT NOT NULL DEFAULT 'draft',
    show_names BOOLEAN NOT NULL DEFAULT 1,
    owner_id INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    contest_id INTEGER NOT NULL REFERENCES contests(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    duration_s INTEGER NOT NULL,
    blueprint TEXT NOT NULL,
    attempts_allowed INTEGER NOT NULL DEFAULT 1,
    grace_s INTEGER NOT NULL DEFAULT 10,
    points_per_question INTEGER NOT NULL DEFAULT 1,
    prediction BOOLEAN NOT NULL DEFAULT 0,
    reveal_policy TEXT NOT NULL CHECK (reveal_policy IN ('after_submit', 'after_close', 'never')),
    practice BOOLEAN NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    finalized_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, number)
);

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    contest_id INTEGER NOT NULL REFERENCES contests(id),
    user_id INTEGER REFERENCES users(id),
    code TEXT UNIQUE,
    full_name TEXT NOT NULL,
    birth_year INTEGER,
    phone TEXT,
    id_number_hmac TEXT,
    id_last4 TEXT,
    unit_id INTEGER REFERENCES units(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contest_id, user_id)
);
CREATE INDEX participants_unit ON participants(unit_id);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    number INTEGER NOT NULL,
    ranked BOOLEAN NOT NULL,
    seed BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'submitted', 'expired')),
    started_at TIMESTAMP NOT NULL,
    deadline_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    score INTEGER NOT NULL DEFAULT 0,
    max_score INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0,
    duration_ms BIGINT,
    prediction BIGINT
);
CREATE UNIQUE INDEX attempts_round_participant ON attempts(round_id, participant_id, number);
CREATE INDEX attempts_open_deadline ON attempts(state, deadline_at);

CREATE TABLE attempt_items (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    position INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions(id),
    option_order TEXT NOT NULL,
    choices TEXT,
    answered_at TIMESTAMP,
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX attempt_items_question ON attempt_items(question_id);

CREATE TABLE round_entries (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    best_attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    unit_id INTEGER REFERENCES units(id),
    score INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    full_marks BOOLEAN NOT NULL,
    prediction BIGINT,
    prediction_error BIGINT NOT NULL DEFAULT 0,
    duration_ms BIGINT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, participant_id)
);
CREATE INDEX round_entries_rank ON round_entries(round_id, score DESC, prediction_error, duration_ms, submitted_at);
CREATE INDEX round_entries_unit ON round_entries(round_id, unit_id);

-- The questions a published round draws from, frozen at publication (promise 1:
-- an auditor re-derives any paper from its seed and this pool).
CREATE TABLE round_pool (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    row_index INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions(id),
    PRIMARY KEY (round_id, question_id)
);
CREATE INDEX round_pool_row ON round_pool(round_id, row_index);

CREATE TABLE unit_round_stats (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    participants INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    score_sum BIGINT NOT NULL DEFAULT 0,
    full_marks INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, unit_id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
