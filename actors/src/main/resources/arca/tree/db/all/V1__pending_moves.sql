-- Moves between folders that started and did not complete yet (from the folders' tagged move events); the
-- sweeper wakes the source folder of any that stays here, so that a move interrupted by a crash completes.
CREATE TABLE tree_pending_moves (
    op_id VARCHAR(64) NOT NULL PRIMARY KEY,
    folder_id VARCHAR(200) NOT NULL,
    started_at BIGINT NOT NULL
);
