-- Events and snapshots up to MariaDB's max_allowed_packet (16 MiB by default) instead of BLOB's 64 KiB: a big
-- folder's snapshot, or an event carrying a node's dead properties (up to 256 KiB), did not fit. Only widens the
-- columns, so the previous build keeps working on the altered tables during a rolling upgrade.
ALTER TABLE ${svc}_event_journal MODIFY event_payload LONGBLOB NOT NULL, MODIFY meta_payload LONGBLOB;
ALTER TABLE ${svc}_snapshot MODIFY snapshot_payload LONGBLOB NOT NULL, MODIFY meta_payload LONGBLOB;
