-- Akka Persistence JDBC 5.x journal, tag and snapshot tables for one service (prefix ${svc}_),
-- plus the offsets of that service's read-model projections. (ordering SERIAL is already a unique key.)
CREATE TABLE IF NOT EXISTS ${svc}_event_journal (
    ordering SERIAL,
    deleted BOOLEAN DEFAULT false NOT NULL,
    persistence_id VARCHAR(255) NOT NULL,
    sequence_number BIGINT NOT NULL,
    writer TEXT NOT NULL,
    write_timestamp BIGINT NOT NULL,
    adapter_manifest TEXT NOT NULL,
    event_payload BLOB NOT NULL,
    event_ser_id INTEGER NOT NULL,
    event_ser_manifest TEXT NOT NULL,
    meta_payload BLOB,
    meta_ser_id INTEGER,
    meta_ser_manifest TEXT,
    PRIMARY KEY (persistence_id, sequence_number)
);

CREATE TABLE IF NOT EXISTS ${svc}_event_tag (
    event_id BIGINT UNSIGNED NOT NULL,
    tag VARCHAR(255) NOT NULL,
    PRIMARY KEY (event_id, tag),
    FOREIGN KEY (event_id) REFERENCES ${svc}_event_journal (ordering) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS ${svc}_snapshot (
    persistence_id VARCHAR(255) NOT NULL,
    sequence_number BIGINT NOT NULL,
    created BIGINT NOT NULL,
    snapshot_ser_id INTEGER NOT NULL,
    snapshot_ser_manifest TEXT NOT NULL,
    snapshot_payload BLOB NOT NULL,
    meta_ser_id INTEGER,
    meta_ser_manifest TEXT,
    meta_payload BLOB,
    PRIMARY KEY (persistence_id, sequence_number)
);

CREATE TABLE IF NOT EXISTS ${svc}_projection_offset (
    projection_id VARCHAR(255) NOT NULL PRIMARY KEY,
    offset_value BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
