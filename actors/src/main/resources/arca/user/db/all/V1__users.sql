-- Read model of the user service: one row per existing user (no password hashes here).
CREATE TABLE user_users (
    login VARCHAR(64) NOT NULL PRIMARY KEY,
    display_name VARCHAR(256) NOT NULL,
    email VARCHAR(254) NOT NULL,
    roles VARCHAR(4200) NOT NULL,
    group_path VARCHAR(1024) NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
