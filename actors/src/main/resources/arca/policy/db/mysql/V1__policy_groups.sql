-- Read model (MySQL: MEDIUMBLOB, since a BLOB holds only 64 KiB) of the policy service: one row per existing group; its policies as a serialized arca.policy.v1.PolicyList.
CREATE TABLE policy_groups (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    label VARCHAR(256) NOT NULL,
    description VARCHAR(1024) NOT NULL,
    protected_group BOOLEAN NOT NULL,
    policies MEDIUMBLOB NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
