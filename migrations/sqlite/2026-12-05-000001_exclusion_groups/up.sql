-- The exclusion group of a question version (NULL: none): a paper never
-- holds two questions of one group. Part of the content hash when set, so a
-- version's group never changes; new papers read it with the frozen pool.
ALTER TABLE questions ADD COLUMN exclusion_group TEXT;
