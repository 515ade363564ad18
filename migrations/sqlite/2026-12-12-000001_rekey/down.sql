DROP TABLE score_changes;
ALTER TABLE question_fixes DROP COLUMN explanation;
