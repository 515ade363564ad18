-- Accounts for a province: optional contact fields, and the generated
-- passwords of an import, kept sealed until downloaded once.
-- Keep in step with ../../postgres/ (same version, same tables).

-- Optional contact fields: an email (one @, a dot in the domain) and a
-- Vietnamese mobile number stored as 0xxxxxxxxx.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;

-- The generated passwords of one account import: a CSV sealed with a key
-- derived from the server's secret (AES-256-GCM, hex), served once to the
-- admin who imported and then forgotten (sealed becomes NULL); rows past
-- expires_at are deleted by the sweeper.
CREATE TABLE password_sheets (
    id INTEGER PRIMARY KEY,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accounts INTEGER NOT NULL,
    sealed TEXT,
    downloaded_at TIMESTAMP
);
CREATE INDEX password_sheets_expiry ON password_sheets(expires_at);
