DROP INDEX round_entries_best_attempt;
DROP TABLE item_results;
