-- Read model of the acl service: one row per ACL entry. A path may be longer than an index key allows, so the key
-- holds its SHA-256 (hex) and the path itself is a plain column.
CREATE TABLE acl_acls (
    workspace VARCHAR(63) NOT NULL,
    path_hash CHAR(64) NOT NULL,
    role VARCHAR(70) NOT NULL,
    action VARCHAR(8) NOT NULL,
    path VARCHAR(4096) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace, path_hash, role, action)
);
CREATE INDEX acl_acls_role ON acl_acls (role);
