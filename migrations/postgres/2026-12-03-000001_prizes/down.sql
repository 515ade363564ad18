DROP TABLE round_prizes;
