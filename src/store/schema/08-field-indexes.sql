-- Field indexes (`syncline index create DB COLLECTION FIELD`): each row is one SQLite
-- expression index on items, partial to one database's collection, named `name`:
--   CREATE INDEX name ON items (json_extract(CAST(body AS TEXT), '$.FIELD'), key)
--     WHERE db_id = DB_ID AND kind = 0 AND collection = 'COLLECTION' AND deleted = 0
-- Queries repeat those terms as literals so SQLite can prove the partial index applies.
CREATE TABLE field_indexes (
  db_id      INTEGER NOT NULL,
  collection TEXT NOT NULL,
  field      TEXT NOT NULL,             -- a dotted path of [A-Za-z0-9_] names
  name       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (db_id, collection, field)
) WITHOUT ROWID;
