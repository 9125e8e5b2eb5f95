-- Read model of the role service: one row per existing role.
CREATE TABLE role_roles (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    label VARCHAR(256) NOT NULL,
    description VARCHAR(1024) NOT NULL,
    protected_role BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
