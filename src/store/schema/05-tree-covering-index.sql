-- Syncline store schema, version 5: the tree's document index covers what a tree read needs.
-- Summing a leaf read each document's row for its tree_hash: a b-tree lookup per document,
-- most of the time of an incremental sync with 100 differences in a million documents. With
-- tree_hash and deleted in the index the sum reads the index alone; kind, constant here, is in
-- it too so that SQLite's planner sees every column of the query covered.
DROP INDEX items_by_key_hash;
CREATE INDEX items_by_key_hash ON items (db_id, collection, key_hash, tree_hash, deleted, kind)
  WHERE kind = 0;
