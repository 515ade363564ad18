DROP TABLE password_sheets;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN email;
