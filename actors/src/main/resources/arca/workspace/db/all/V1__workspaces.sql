-- Read model of the workspace service: one row per existing workspace.
CREATE TABLE workspace_workspaces (
    slug VARCHAR(63) NOT NULL PRIMARY KEY,
    label VARCHAR(256) NOT NULL,
    description VARCHAR(1024) NOT NULL,
    scope VARCHAR(32) NOT NULL,
    root_datasource VARCHAR(63) NOT NULL,
    root_path VARCHAR(1024) NOT NULL,
    built_in BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
