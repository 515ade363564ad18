DROP TABLE item_results;
