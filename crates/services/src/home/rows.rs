//! Assembling the home page: choose every row's items under one read of the listening state, then
//! expand them into wire objects.

use std::collections::HashMap;
use std::sync::Arc;

use swingfly_library::humanize::{duration_text, now_unix, plays_text, time_ago};
use swingfly_library::wire::ArtistCardJson;
use swingfly_library::{AddedEntry, AddedTarget, Artist, Library, UserView};
use swingfly_model::Hash;
use swingfly_store::home::{HomeCollection, PlaylistTile as PlaylistRow};
use swingfly_store::mixes::SavedMix;

use super::listening::Tally;
use super::recents::{
    added_kind, added_raw, folder_with_slash, recently_played, RecentEntry, RecentTarget,
    RecentlyAddedRaw, RecentlyPlayedRaw,
};
use super::wire::{
    ArtistTile, CollectionSection, Described, FavoritesTile, FolderTile, HomeEntry, HomeItem,
    HomeItemJson, PlaylistTile, Section, SectionJson,
};
use super::{period_starts, Taste, RECENTS_CAP};
use crate::app::App;
use crate::mixes::{
    artist_mix_seeds, mix_json, plan_mix, track_mix_seeds, MixId, MixImage, MixPlan,
};

/// Artists played at least this often are "already heavily played": not suggested to the user.
const HEAVILY_PLAYED: u32 = 3;
/// "Artists you might like" grows from this many of the user's top artists.
const TASTE_SEEDS: usize = 10;
/// "Because you listened to" rotates daily among this many of the user's top recent artists.
const BECAUSE_SEEDS: usize = 3;

/// What every row holds, chosen under one read lock of the listening state.
#[derive(Default)]
struct Picks {
    recent: Vec<RecentEntry>,
    recent_mixes: HashMap<MixId, MixPlan>,
    artist_mixes: Vec<MixPlan>,
    track_mixes: Vec<MixPlan>,
    week: Vec<(Hash, Tally)>,
    month: Vec<(Hash, Tally)>,
    because: Option<(Hash, Vec<Hash>)>,
    might_like: Vec<Hash>,
}

impl Picks {
    fn choose(taste: &Taste, week: i64, month: i64, limit: usize, now: i64) -> Picks {
        let Some(me) = taste.me() else {
            return Picks::default();
        };
        let recent = recently_played(me, taste.library, RECENTS_CAP);
        let recent_mixes = recent
            .iter()
            .filter_map(|entry| match entry.target {
                RecentTarget::Mix(id) => plan_mix(taste, id).map(|plan| (id, plan)),
                _ => None,
            })
            .collect();
        let this_month = me.window(month);
        let artist_mixes = artist_mix_seeds(taste, this_month, limit)
            .into_iter()
            .filter_map(|id| plan_mix(taste, id))
            .collect();
        let track_mixes = track_mix_seeds(taste, this_month, limit)
            .into_iter()
            .filter_map(|id| plan_mix(taste, id))
            .collect();
        let top_of = |since: i64| {
            let mut top = me
                .window(since)
                .map(|tallies| tallies.top_artists(limit * 2 + 8))
                .unwrap_or_default();
            top.retain(|(hash, _)| taste.library.artist(*hash).is_some());
            top.truncate(limit);
            top
        };
        Picks {
            recent,
            recent_mixes,
            artist_mixes,
            track_mixes,
            week: top_of(week),
            month: top_of(month),
            because: because_you_listened(taste, month, limit, now),
            might_like: artists_you_might_like(taste, limit),
        }
    }
}

/// The seed (one of the user's top artists this month, else of all time, rotating daily) and the
/// artists related to it.
fn because_you_listened(
    taste: &Taste,
    month: i64,
    limit: usize,
    now: i64,
) -> Option<(Hash, Vec<Hash>)> {
    let me = taste.me()?;
    let mut seeds: Vec<Hash> = me
        .window(month)
        .map(|tallies| tallies.top_artists(BECAUSE_SEEDS * 4))
        .unwrap_or_default()
        .into_iter()
        .map(|(hash, _)| hash)
        .filter(|hash| taste.library.artist(*hash).is_some())
        .take(BECAUSE_SEEDS)
        .collect();
    if seeds.is_empty() {
        seeds = me
            .top_artists()
            .iter()
            .map(|(hash, _)| *hash)
            .filter(|hash| taste.library.artist(*hash).is_some())
            .take(BECAUSE_SEEDS)
            .collect();
    }
    let day = usize::try_from(now.div_euclid(86_400)).unwrap_or(0);
    let count = seeds.len();
    (0..count).find_map(|offset| {
        let seed = seeds[(day + offset) % count];
        let related: Vec<Hash> = taste
            .related_artists(seed, limit)
            .into_iter()
            .map(|(hash, _)| hash)
            .collect();
        (!related.is_empty()).then_some((seed, related))
    })
}

/// Artists related to the user's top artists (weighted by how long they listened to each), minus
/// those the user already plays a lot.
fn artists_you_might_like(taste: &Taste, limit: usize) -> Vec<Hash> {
    let Some(me) = taste.me() else {
        return Vec::new();
    };
    let seeds: Vec<(Hash, Tally)> = me.top_artists().iter().take(TASTE_SEEDS).copied().collect();
    let total: u64 = seeds.iter().map(|(_, tally)| tally.duration.max(1)).sum();
    let mine = &me.tallies().artists;
    let mut scores: HashMap<Hash, f32> = HashMap::new();
    for (seed, tally) in &seeds {
        let weight = tally.duration.max(1) as f32 / total.max(1) as f32;
        for (other, likeness) in taste.related_artists(*seed, limit * 4) {
            *scores.entry(other).or_default() += weight * likeness;
        }
    }
    let mut ranked: Vec<(Hash, f32)> = scores
        .into_iter()
        .filter(|(hash, _)| {
            mine.get(hash)
                .is_none_or(|tally| tally.count < HEAVILY_PLAYED)
                && !seeds.iter().any(|(seed, _)| seed == hash)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    ranked.into_iter().map(|(hash, _)| hash).collect()
}

/// The rows that need SQL beyond the plays: playlists and the favourites count of recent entries.
struct Tiles {
    playlists: HashMap<i64, PlaylistRow>,
    favorites: i64,
}

async fn load_tiles(app: &App, user_id: i64, recent: &[RecentEntry]) -> anyhow::Result<Tiles> {
    let mut tiles = Tiles {
        playlists: HashMap::new(),
        favorites: 0,
    };
    for entry in recent {
        match &entry.target {
            RecentTarget::Playlist { id, custom: false } => {
                if let Ok(id) = id.parse::<i64>() {
                    if let Some(row) = app.store.playlist_tile(user_id, id).await? {
                        tiles.playlists.insert(id, row);
                    }
                }
            }
            RecentTarget::Favorites => tiles.favorites = app.store.favorite_total(user_id).await?,
            _ => {}
        }
    }
    Ok(tiles)
}

/// GET /nothome/: the user's home rows, `limit` items each.
pub async fn home_page(app: &App, user_id: i64, limit: usize) -> anyhow::Result<Vec<HomeEntry>> {
    let library = app.library();
    let index = app.home.index_for(&library);
    app.home.catch_up(&app.store, &library).await?;
    let now = now_unix();
    let (week, month) = period_starts(now);
    app.home.prepare_windows(user_id, &[week, month], &library);
    let picks = {
        let ledger = app.home.ledger();
        let taste = Taste::new(&library, &index, &ledger, user_id);
        Picks::choose(&taste, week, month, limit, now)
    };
    let collections = app.store.home_collections(user_id).await?;
    let saved = app.store.saved_mixes(user_id).await?;
    let tiles = load_tiles(app, user_id, &picks.recent).await?;
    let view = app.user_data.view(user_id, &library).await?;

    let expand = Expander {
        library: &library,
        view: &view,
        user_id,
        saved: &saved,
        now,
    };
    let mut page: Vec<HomeEntry> = Vec::new();

    let recent = picks
        .recent
        .iter()
        .take(limit)
        .filter_map(|entry| expand.recent(entry, &tiles, &picks.recent_mixes))
        .collect();
    push_row(
        &mut page,
        "recently_played",
        "Recently played".into(),
        Some("Pick up where you left off"),
        recent,
    );
    let mixes = |plans: &[MixPlan]| -> Vec<HomeItem> {
        plans.iter().map(|plan| expand.mix(plan, None)).collect()
    };
    push_row(
        &mut page,
        "artist_mixes",
        "Artist mixes".into(),
        Some("Mixes around the artists you play most"),
        mixes(&picks.artist_mixes),
    );
    push_row(
        &mut page,
        "custom_mixes",
        "Mixes for you".into(),
        Some("Mixes grown from the tracks you play most"),
        mixes(&picks.track_mixes),
    );
    push_row(
        &mut page,
        "top_streamed_weekly_artists",
        "Top artists this week".into(),
        Some("Your most listened artists since Monday"),
        expand.top_artists(&picks.week),
    );
    push_row(
        &mut page,
        "top_streamed_monthly_artists",
        "Top artists this month".into(),
        Some("Your most listened artists this month"),
        expand.top_artists(&picks.month),
    );
    if let Some((seed, related)) = &picks.because {
        if let Some(artist) = library.artist(*seed) {
            push_row(
                &mut page,
                "because_you_listened_to_artist",
                format!("Because you listened to {}", artist.name),
                None,
                related
                    .iter()
                    .filter_map(|hash| expand.artist(*hash, "artist".into(), None))
                    .collect(),
            );
        }
    }
    push_row(
        &mut page,
        "artists_you_might_like",
        "Artists you might like".into(),
        Some("Based on what you and listeners like you play"),
        picks
            .might_like
            .iter()
            .filter_map(|hash| expand.artist(*hash, "artist".into(), None))
            .collect(),
    );

    for collection in &collections {
        page.push(HomeEntry {
            key: collection.id.to_string(),
            section: SectionJson::Collection(expand.collection(collection, limit)),
        });
    }

    let added = index
        .recently_added
        .iter()
        .take(limit)
        .filter_map(|entry| expand.added(entry))
        .collect();
    push_row(
        &mut page,
        "recently_added",
        "Recently added".into(),
        Some("New music in your library"),
        added,
    );
    Ok(page)
}

/// GET /nothome/recents/added: the raw entries.
pub async fn recently_added_raw(app: &App, limit: usize) -> Vec<RecentlyAddedRaw> {
    let library = app.library();
    let index = app.home.index_for(&library);
    index
        .recently_added
        .iter()
        .take(limit)
        .map(added_raw)
        .collect()
}

/// GET /nothome/recents/played: the user's raw entries.
pub async fn recently_played_raw(
    app: &App,
    user_id: i64,
    limit: usize,
) -> anyhow::Result<Vec<RecentlyPlayedRaw>> {
    let library = app.library();
    app.home.catch_up(&app.store, &library).await?;
    let ledger = app.home.ledger();
    Ok(ledger
        .user(user_id)
        .map(|user| recently_played(user, &library, RECENTS_CAP))
        .unwrap_or_default()
        .iter()
        .take(limit)
        .map(RecentEntry::raw)
        .collect())
}

/// Turns chosen items into wire objects for one user.
struct Expander<'a> {
    library: &'a Arc<Library>,
    view: &'a dyn UserView,
    user_id: i64,
    saved: &'a [SavedMix],
    now: i64,
}

impl Expander<'_> {
    fn ago(&self, timestamp: i64) -> Option<String> {
        (timestamp > 0).then(|| time_ago(timestamp, self.now))
    }

    fn album(&self, albumhash: Hash, help_text: String, time: Option<String>) -> Option<HomeItem> {
        let album = self.library.album(albumhash)?;
        Some(HomeItem {
            item: HomeItemJson::Album(Box::new(Described {
                inner: self.library.album_json(album, self.view),
                help_text,
                time,
            })),
            kind: "album",
        })
    }

    fn artist_card(&self, artist: &Artist) -> ArtistCardJson {
        self.library.artist_card(artist)
    }

    fn artist(
        &self,
        artisthash: Hash,
        help_text: String,
        time: Option<String>,
    ) -> Option<HomeItem> {
        let artist = self.library.artist(artisthash)?;
        let mut card = self.artist_card(artist);
        card.help_text = Some(help_text);
        card.time = time;
        Some(HomeItem {
            item: HomeItemJson::Artist(Box::new(ArtistTile {
                card,
                secondary_text: None,
            })),
            kind: "artist",
        })
    }

    fn track(&self, trackhash: Hash, help_text: String, time: Option<String>) -> Option<HomeItem> {
        let track = self.library.track(trackhash)?;
        let mut json = self.library.track_json(track, self.view);
        json.help_text = Some(help_text);
        json.time = time;
        Some(HomeItem {
            item: HomeItemJson::Track(Box::new(json)),
            kind: "track",
        })
    }

    fn folder(
        &self,
        path: &str,
        count: usize,
        help_text: String,
        time: Option<String>,
    ) -> HomeItem {
        HomeItem {
            item: HomeItemJson::Folder(FolderTile {
                count,
                help_text,
                path: folder_with_slash(path),
                time,
            }),
            kind: "folder",
        }
    }

    fn mix(&self, plan: &MixPlan, help_text: Option<String>) -> HomeItem {
        let mut json = mix_json(self.library, plan, self.user_id, self.saved, self.now);
        json.help_text = help_text;
        HomeItem {
            item: HomeItemJson::Mix(Box::new(json)),
            kind: "mix",
        }
    }

    fn top_artists(&self, top: &[(Hash, Tally)]) -> Vec<HomeItem> {
        top.iter()
            .filter_map(|(hash, tally)| {
                let artist = self.library.artist(*hash)?;
                let mut card = self.artist_card(artist);
                card.help_text = Some(duration_text(tally.duration));
                card.time = self.ago(tally.last);
                Some(HomeItem {
                    item: HomeItemJson::Artist(Box::new(ArtistTile {
                        card,
                        secondary_text: Some(plays_text(tally.count, "0 plays")),
                    })),
                    kind: "artist",
                })
            })
            .collect()
    }

    fn recent(
        &self,
        entry: &RecentEntry,
        tiles: &Tiles,
        mixes: &HashMap<MixId, MixPlan>,
    ) -> Option<HomeItem> {
        let help_text = entry.kind().to_owned();
        let time = self.ago(entry.timestamp);
        match &entry.target {
            RecentTarget::Track(hash) => self.track(*hash, help_text, time),
            RecentTarget::Album(hash) => self.album(*hash, help_text, time),
            RecentTarget::Artist(hash) => self.artist(*hash, help_text, time),
            RecentTarget::Folder(path) => {
                let count = self.library.folder_track_count(path)?;
                Some(self.folder(path, count, help_text, time))
            }
            RecentTarget::Playlist { id, custom } => {
                let tile = if *custom {
                    custom_playlist_tile(id, self.user_id)
                } else {
                    let row = tiles.playlists.get(&id.parse::<i64>().ok()?)?;
                    self.playlist_tile(row)
                };
                Some(HomeItem {
                    item: HomeItemJson::Playlist(Box::new(PlaylistTile {
                        help_text,
                        time,
                        ..tile
                    })),
                    kind: "playlist",
                })
            }
            RecentTarget::Mix(id) => {
                let mut item = self.mix(mixes.get(id)?, Some(help_text));
                if let HomeItemJson::Mix(mix) = &mut item.item {
                    mix.time = time;
                }
                Some(item)
            }
            RecentTarget::Favorites => Some(HomeItem {
                item: HomeItemJson::Favorites(FavoritesTile {
                    count: tiles.favorites,
                    help_text,
                    image: None,
                    time,
                }),
                kind: "favorite",
            }),
        }
    }

    fn playlist_tile(&self, row: &PlaylistRow) -> PlaylistTile {
        let trackhashes: Vec<String> = serde_json::from_str(&row.trackhashes).unwrap_or_default();
        let tracks: Vec<_> = trackhashes
            .iter()
            .filter_map(|hash| swingfly_model::parse_hash(hash))
            .filter_map(|hash| self.library.track(hash))
            .collect();
        let mut images: Vec<MixImage> = Vec::new();
        for track in &tracks {
            let image = format!("{:016x}.webp", track.albumhash);
            if images.len() < 4 && !images.iter().any(|seen| seen.image == image) {
                let color = self
                    .library
                    .album_of(track)
                    .color
                    .as_deref()
                    .map(str::to_owned);
                images.push(MixImage { image, color });
            }
        }
        let settings: serde_json::Value =
            serde_json::from_str(&row.settings).unwrap_or_else(|_| serde_json::json!({}));
        let image = row.image.clone();
        PlaylistTile {
            count: trackhashes.len(),
            duration: tracks.iter().map(|track| u64::from(track.duration)).sum(),
            extra: serde_json::json!({}),
            has_image: image.is_some(),
            help_text: String::new(),
            id: serde_json::json!(row.id),
            image: image.clone().unwrap_or_else(|| "None".into()),
            images,
            last_updated: date_time_text(row.last_updated),
            name: row.name.clone(),
            pinned: settings["pinned"].as_bool().unwrap_or(false),
            settings,
            thumb: image.map_or_else(|| "None".into(), |image| format!("thumb_{image}")),
            time: None,
            trackhashes: Vec::new(),
            userid: self.user_id,
        }
    }

    fn collection(&self, collection: &HomeCollection, limit: usize) -> CollectionSection {
        let items = collection
            .items
            .iter()
            .rev()
            .filter_map(|item| {
                let hash = swingfly_model::parse_hash(&item.hash)?;
                match item.kind.as_str() {
                    "album" => self.album(hash, "album".into(), None),
                    "artist" => self.artist(hash, "artist".into(), None),
                    _ => None,
                }
            })
            .take(limit)
            .collect();
        CollectionSection {
            description: collection.description.clone(),
            id: collection.id,
            items,
            title: collection.name.clone(),
            url: format!("collections/{}", collection.id),
        }
    }

    fn added(&self, entry: &AddedEntry) -> Option<HomeItem> {
        let help_text = entry.help_text.to_owned();
        let time = self.ago(entry.timestamp);
        let item = match &entry.target {
            AddedTarget::Track(hash) => self.track(*hash, help_text, time),
            AddedTarget::Album(hash) => self.album(*hash, help_text, time),
            AddedTarget::Artist(hash) => self.artist(*hash, help_text, time),
            AddedTarget::Folder { path, count } => Some(self.folder(path, *count, help_text, time)),
        };
        debug_assert!(item
            .as_ref()
            .is_none_or(|item| item.kind == added_kind(entry)));
        item
    }
}

/// The pseudo-playlists "recentlyadded" and "recentlyplayed" as tiles.
fn custom_playlist_tile(id: &str, user_id: i64) -> PlaylistTile {
    let name = if id == "recentlyadded" {
        "Recently Added"
    } else {
        "Recently Played"
    };
    PlaylistTile {
        count: 0,
        duration: 0,
        extra: serde_json::json!({}),
        has_image: false,
        help_text: String::new(),
        id: serde_json::json!(id),
        image: "None".into(),
        images: Vec::new(),
        last_updated: String::new(),
        name: name.into(),
        pinned: false,
        settings: serde_json::json!({}),
        thumb: "None".into(),
        time: None,
        trackhashes: Vec::new(),
        userid: user_id,
    }
}

/// "YYYY-MM-DD HH:MM:SS" in local time, as Swing stores playlist dates.
fn date_time_text(timestamp: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_opt(timestamp, 0)
        .single()
        .map(|time| time.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Adds a row to the page if it holds anything.
fn push_row(
    page: &mut Vec<HomeEntry>,
    key: &str,
    title: String,
    description: Option<&str>,
    items: Vec<HomeItem>,
) {
    if !items.is_empty() {
        page.push(HomeEntry {
            key: key.to_owned(),
            section: SectionJson::Row(Section {
                description: description.map(str::to_owned),
                items,
                title,
            }),
        });
    }
}
