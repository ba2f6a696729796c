-- client_ops without a rowid: the primary key is the table itself, so remembering a push's
-- operation writes one row B-tree and the time index, not three B-trees (a rowid table, its
-- primary-key index and the time index). A push of 100,000 operations spent 11% of the
-- server's samples in that insert. The rows are copied as they are.
CREATE TABLE client_ops_09 (
  db_id      INTEGER NOT NULL,
  client_id  TEXT NOT NULL,
  op_id      TEXT NOT NULL,
  result     TEXT NOT NULL,              -- JSON: the operation's answer, as first sent
  created_at INTEGER NOT NULL,
  PRIMARY KEY (db_id, client_id, op_id)
) WITHOUT ROWID;
INSERT INTO client_ops_09 (db_id, client_id, op_id, result, created_at)
  SELECT db_id, client_id, op_id, result, created_at FROM client_ops;
DROP TABLE client_ops;
ALTER TABLE client_ops_09 RENAME TO client_ops;
CREATE INDEX client_ops_by_time ON client_ops (db_id, created_at);
