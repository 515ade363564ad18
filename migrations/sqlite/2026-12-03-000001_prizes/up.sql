-- A round's prizes: the organizer's plan (tiers, exclusions with reasons,
-- the collective rule, as JSON) and, once published, the list as it was
-- published (awards by participant id, and the units of both collective
-- lists), which no later change of the entries rewrites.
CREATE TABLE round_prizes (
    round_id BIGINT PRIMARY KEY NOT NULL REFERENCES rounds(id),
    plan TEXT NOT NULL,
    published TEXT,
    published_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
