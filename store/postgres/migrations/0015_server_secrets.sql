-- Secrets the gateway makes for itself once and every instance shares: the
-- key that signs report links (when GATEWAY_ENCRYPTION_KEY is not set, from
-- which it is derived instead). The first instance to ask stores one.
CREATE TABLE server_secrets (
	name       text        PRIMARY KEY,
	value      text        NOT NULL,
	created_at timestamptz NOT NULL
);
