-- Swingfly's ledger, first schema.
--
-- Portability: the DDL sticks to INTEGER/BIGINT, TEXT, REAL and BOOLEAN so a PostgreSQL migration set
-- can mirror it column for column. Timestamps are unix seconds (BIGINT). JSON values are TEXT.
-- The only SQLite-specific spelling is `INTEGER PRIMARY KEY [AUTOINCREMENT]` (rowid aliases); the
-- PostgreSQL equivalent is `BIGINT GENERATED ALWAYS AS IDENTITY`.
--
-- Later per-user tables (favourites, scrobbles, playlists, ...) reference `users(id)` with
-- ON DELETE CASCADE and refer to library items by their hash text, never by `tracks.id`: hashes
-- survive re-indexing and rescans, row ids do not.

-- The library ledger: raw tags exactly as the scanner read them. Everything derived (hashes, split
-- artists, cleaned titles) is recomputed in memory, so changing index settings needs no rescan.
CREATE TABLE tracks (
    id            INTEGER PRIMARY KEY,
    filepath      TEXT    NOT NULL UNIQUE,
    folder        TEXT    NOT NULL,
    size          BIGINT  NOT NULL,
    mtime         BIGINT  NOT NULL,
    title         TEXT,
    album         TEXT,
    artists       TEXT,
    albumartists  TEXT,
    genres        TEXT,
    date          TEXT,
    track         BIGINT,
    track_total   BIGINT,
    disc          BIGINT,
    disc_total    BIGINT,
    copyright     TEXT,
    composer      TEXT,
    comment       TEXT,
    explicit      TEXT,
    duration      REAL    NOT NULL,
    bitrate       BIGINT  NOT NULL,
    samplerate    BIGINT  NOT NULL,
    bitdepth      INTEGER,
    channels      INTEGER NOT NULL,
    has_picture   BOOLEAN NOT NULL,
    has_lyrics    BOOLEAN NOT NULL
);

-- One row: the library version, bumped by every scan that changed the ledger, so the in-memory index
-- (and caches keyed by it) know when they are stale.
CREATE TABLE library_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
INSERT INTO library_state (id, version, updated_at) VALUES (1, 0, 0);

-- Artwork-derived values per album (dominant colour "rgb(r, g, b)" and BlurHash): costly to compute,
-- so they are kept across restarts. Keyed by the albumhash text the clients see.
CREATE TABLE album_art (
    albumhash  TEXT PRIMARY KEY,
    color      TEXT,
    blurhash   TEXT
);

-- AUTOINCREMENT: a deleted user's id is never handed to a new user, so a stale token or a stale
-- per-user row can never come to belong to someone else.
CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    username         TEXT    NOT NULL,
    -- Lower-cased username (computed by the application, Unicode-aware): case-insensitive uniqueness.
    username_folded  TEXT    NOT NULL UNIQUE,
    password_hash    TEXT    NOT NULL,
    roles            TEXT    NOT NULL,  -- JSON list of strings
    extra            TEXT    NOT NULL,  -- JSON value (an object, or null)
    created_at       BIGINT  NOT NULL
);

-- The ledger of issued tokens (id = the token's jti), so that tokens are revocable on every instance.
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,  -- "access" or "refresh"
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    user_agent  TEXT,
    revoked_at  BIGINT
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Server settings as JSON values by key ("rootDirs", the index settings under their camelCase keys).
CREATE TABLE settings (
    key         TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,  -- JSON
    updated_at  BIGINT  NOT NULL
);
