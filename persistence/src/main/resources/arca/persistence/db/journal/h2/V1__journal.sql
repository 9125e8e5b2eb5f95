-- Akka Persistence JDBC 5.x journal, tag and snapshot tables for one service (prefix ${svc}_),
-- plus the offsets of that service's read-model projections.
CREATE TABLE IF NOT EXISTS "${svc}_event_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" BLOB NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" BLOB,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id", "sequence_number")
);
CREATE UNIQUE INDEX IF NOT EXISTS "${svc}_event_journal_ordering_idx" ON "${svc}_event_journal" ("ordering");

CREATE TABLE IF NOT EXISTS "${svc}_event_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT "${svc}_fk_event_journal" FOREIGN KEY("event_id") REFERENCES "${svc}_event_journal"("ordering") ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS "${svc}_snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" BLOB NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" BLOB,
    PRIMARY KEY("persistence_id", "sequence_number")
);

CREATE TABLE IF NOT EXISTS ${svc}_projection_offset (
    projection_id VARCHAR(255) NOT NULL PRIMARY KEY,
    offset_value BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
