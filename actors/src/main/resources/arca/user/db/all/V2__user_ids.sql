-- The account id assigned at creation ('' for accounts created before ids existed: their id is derived from login
-- and creation time, their personal folder is their login). Added while the previous build may still run on this
-- table during a rolling upgrade: a column with a default, so the previous build's inserts still work.
ALTER TABLE user_users ADD COLUMN account_id VARCHAR(64) NOT NULL DEFAULT '';
