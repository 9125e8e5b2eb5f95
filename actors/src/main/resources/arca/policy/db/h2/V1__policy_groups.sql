-- Read model of the policy service: one row per existing group; its policies as a serialized arca.policy.v1.PolicyList.
CREATE TABLE policy_groups (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    label VARCHAR(256) NOT NULL,
    description VARCHAR(1024) NOT NULL,
    protected_group BOOLEAN NOT NULL,
    policies BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
