ALTER TABLE units DROP COLUMN kind_label;
