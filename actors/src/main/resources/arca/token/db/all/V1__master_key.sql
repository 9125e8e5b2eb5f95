-- The id (a digest, not the key) of the master key that seals the token service's key material (MasterKey): recorded
-- by the first node, compared by every node at start so that a node given another master key refuses to start.
CREATE TABLE token_master_key (
  id INT NOT NULL PRIMARY KEY,
  key_id VARCHAR(64) NOT NULL
);
