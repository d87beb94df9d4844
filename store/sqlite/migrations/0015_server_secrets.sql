-- Secrets the gateway makes for itself once and every instance shares: the
-- key that signs report links (when GATEWAY_ENCRYPTION_KEY is not set, from
-- which it is derived instead). The first instance to ask stores one.
CREATE TABLE server_secrets (
	name       TEXT    PRIMARY KEY,
	value      TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
