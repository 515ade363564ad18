-- Item analysis: one row per valid item of a ranked final attempt, written
-- in the transaction that finalizes (or re-grades) the attempt, so the
-- statistics of a question add up in SQL. Voided items have no row; a
-- re-grade rewrites the attempt's rows with the key in force.
-- Keep in step with ../../postgres/ (same version, same table).
CREATE TABLE item_results (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    position INTEGER NOT NULL,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    question_id INTEGER NOT NULL REFERENCES questions(id),
    -- 1 when answered right with the key in force, else 0 (summed).
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    -- The options chosen in the bank's order: bit i for option i (A = 0);
    -- 0 when left blank.
    chosen INTEGER NOT NULL,
    -- The fraction right on the rest of the paper (the other valid items).
    rest REAL NOT NULL,
    PRIMARY KEY (attempt_id, position)
);
-- Covering what the statistics read, so a round's are read from the index alone.
CREATE INDEX item_results_round ON item_results(round_id, question_id, correct, chosen, rest, attempt_id);
CREATE INDEX item_results_question ON item_results(question_id);
-- The statistics join item rows to the counted attempts through this.
CREATE INDEX round_entries_best_attempt ON round_entries(best_attempt_id);
