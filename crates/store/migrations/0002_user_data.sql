-- Each user's own data: favourites, plays, playlists, collections, saved mixes, plugin state and
-- linked scrobbling services. Everything here is per user (ON DELETE CASCADE from users) and refers
-- to library items by hash text, never by `tracks.id`. Same portability rules as 0001.

-- A favourite is one (user, kind, hash): per user, so two users can favourite the same album
-- (Swing's table made the hash unique across all users). `extra` keeps what is needed to recognise
-- the item again if its hash changes (title, artists), as JSON.
CREATE TABLE favorites (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,  -- "track", "album" or "artist"
    hash        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,  -- unix seconds
    extra       TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (user_id, kind, hash)
);
CREATE INDEX favorites_user_time ON favorites (user_id, created_at);

-- The play history: one row per logged play, committed before `/logger/track/log` answers. Play
-- counts, durations, charts and home rows are all derived from it. (user, trackhash, timestamp) is
-- unique so that backup restores and imports are idempotent.
CREATE TABLE scrobbles (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trackhash   TEXT    NOT NULL,
    timestamp   BIGINT  NOT NULL,  -- unix seconds, when the play happened
    duration    BIGINT  NOT NULL,  -- seconds actually listened
    source      TEXT    NOT NULL,  -- Swing's source string: "al:<hash>", "pl:<id>", "" ...
    extra       TEXT    NOT NULL DEFAULT '{}',  -- JSON {filepath, title, artists, album} at play time
    UNIQUE (user_id, trackhash, timestamp)
);
CREATE INDEX scrobbles_user_time ON scrobbles (user_id, timestamp);
CREATE INDEX scrobbles_trackhash ON scrobbles (trackhash);

-- Playlists. `trackhashes` is the ordered JSON list (a playlist is read and written whole); `version`
-- grows by one on every edit and is the playlist's sync state (`extra.version`, ETag).
CREATE TABLE playlists (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    image         TEXT,            -- file name under images/playlists, or NULL
    settings      TEXT    NOT NULL,  -- JSON {has_gif, banner_pos, square_img, pinned}
    trackhashes   TEXT    NOT NULL,  -- JSON list of trackhash strings, in order
    version       BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_updated  BIGINT  NOT NULL,
    extra         TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (user_id, name)
);

-- Collections (Swing's `page` table): a named, ordered list of album and artist references.
CREATE TABLE collections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    items        TEXT    NOT NULL,  -- JSON [{type: "album"|"artist", hash}]
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    extra        TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX collections_user ON collections (user_id);

-- Mixes a user saved (mixes themselves are computed from listening and are not stored).
CREATE TABLE saved_mixes (
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mixid       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,  -- "artists" or "tracks"
    sourcehash  TEXT    NOT NULL,
    saved_at    BIGINT  NOT NULL,
    PRIMARY KEY (user_id, mixid)
);

-- Server plugins (Swing's `plugin` table): whether each is active and its settings.
CREATE TABLE plugins (
    name      TEXT    PRIMARY KEY,
    active    BOOLEAN NOT NULL,
    settings  TEXT    NOT NULL DEFAULT '{}',  -- JSON object
    extra     TEXT    NOT NULL DEFAULT '{}'
);
INSERT INTO plugins (name, active, settings, extra)
VALUES ('lyrics_finder', FALSE, '{"auto_download":false}', '{}');

-- A user's linked scrobbling services ("lastfm": the session key; "listenbrainz": the user token).
-- `delivered_through` is the id of the newest scrobble already handled for this service: delivery
-- walks `scrobbles` past it, so a crash between a play and its delivery loses nothing and nothing
-- needs enqueueing in the play's own transaction.
CREATE TABLE user_services (
    user_id            BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service            TEXT    NOT NULL,
    credential         TEXT    NOT NULL,
    account_name       TEXT,
    delivered_through  BIGINT  NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,  -- consecutive failed attempts
    next_attempt_at    BIGINT  NOT NULL DEFAULT 0,  -- unix seconds; backoff after failures
    last_error         TEXT,
    linked_at          BIGINT  NOT NULL,
    PRIMARY KEY (user_id, service)
);
