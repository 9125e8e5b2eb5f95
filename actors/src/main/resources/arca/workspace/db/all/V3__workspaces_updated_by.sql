-- Who changed a workspace last. Added while the previous build may still run on this table during a rolling
-- upgrade: a column with a default, so the previous build's inserts and updates (which do not name it) still work.
ALTER TABLE workspace_workspaces ADD COLUMN updated_by VARCHAR(64) NOT NULL DEFAULT '';
