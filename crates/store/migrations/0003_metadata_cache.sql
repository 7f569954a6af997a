-- The SQL level of the external-metadata cache (design use case 1): answers of external APIs
-- (Spotify artist and album metadata), kept across restarts so a server without a shared cache
-- tier does not ask the API again after each start. Negative answers ("not on Spotify") are kept
-- too, with a shorter lifetime. Nothing here is a ledger: every row can be fetched again.
CREATE TABLE metadata_cache (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,   -- JSON
    fetched_at BIGINT NOT NULL, -- unix seconds
    expires_at BIGINT NOT NULL  -- unix seconds
);

CREATE INDEX metadata_cache_expires_at ON metadata_cache (expires_at);
