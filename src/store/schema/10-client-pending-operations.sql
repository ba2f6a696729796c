-- Syncline store schema, version 10: a client tells, with each pull, how many of its local
-- changes to the collection it has not pushed yet (its outbox), so the studio can show it.
-- -1: the client never said (an older client, or none pulled since).
ALTER TABLE client_collections ADD COLUMN pending_ops INTEGER NOT NULL DEFAULT -1;
