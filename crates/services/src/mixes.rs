//! Mixes (reference §3.15, §4.1 Mix), built openly from listening: an artist mix is up to 40
//! tracks around an artist (the user's most played of theirs first, then their other tracks,
//! interleaved with tracks of related artists); a track mix starts from one track and goes on the
//! same way around its artist. Mixes are computed, never stored; saving one records its id.
//!
//! Ids are deterministic: `a<artisthash>` for artist mixes and `t<trackhash>` for track mixes
//! (artist mixes never start with "t", track mixes always do, as Swing's clients expect), and the
//! `sourcehash` is the seed's hash.

mod plan;
pub mod wire;

use std::fmt;

use swingfly_library::humanize::{duration_text, now_unix, time_ago};
use swingfly_library::{Library, UserView};
use swingfly_model::{hash_hex, parse_hash, Hash};
use swingfly_store::mixes::SavedMix;

use crate::app::App;
use crate::home::Taste;
pub(crate) use plan::{artist_mix_seeds, plan_mix, track_mix_seeds, MixPlan};
pub use wire::{FullMixJson, MixExtra, MixImage, MixJson};

/// The two kinds of mix, named as the `/plugins/mixes/<mixtype>` route names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MixKind {
    Artists,
    Tracks,
}

impl MixKind {
    pub fn parse(text: &str) -> Option<MixKind> {
        match text {
            "artists" => Some(MixKind::Artists),
            "tracks" => Some(MixKind::Tracks),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MixKind::Artists => "artists",
            MixKind::Tracks => "tracks",
        }
    }

    fn prefix(self) -> char {
        match self {
            MixKind::Artists => 'a',
            MixKind::Tracks => 't',
        }
    }
}

/// A mix's id: its kind and the hash of the artist or track it grows from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MixId {
    pub kind: MixKind,
    pub seed: Hash,
}

impl MixId {
    pub fn artist(artisthash: Hash) -> MixId {
        MixId {
            kind: MixKind::Artists,
            seed: artisthash,
        }
    }

    pub fn track(trackhash: Hash) -> MixId {
        MixId {
            kind: MixKind::Tracks,
            seed: trackhash,
        }
    }

    /// `a<16 hex>` or `t<16 hex>`.
    pub fn parse(text: &str) -> Option<MixId> {
        let kind = match text.chars().next()? {
            'a' => MixKind::Artists,
            't' => MixKind::Tracks,
            _ => return None,
        };
        let seed = parse_hash(&text[1..])?;
        Some(MixId { kind, seed })
    }
}

impl fmt::Display for MixId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}{:016x}", self.kind.prefix(), self.seed)
    }
}

/// Why a mix request fails.
#[derive(Debug, thiserror::Error)]
pub enum MixError {
    #[error("Invalid mix ID")]
    InvalidId,
    #[error("Mix not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The user's mixes of one kind (`/plugins/mixes/<mixtype>`): those grown from what they play
/// most, then the saved ones that are not among them.
pub async fn list_mixes(app: &App, user_id: i64, kind: MixKind) -> anyhow::Result<Vec<MixJson>> {
    let library = app.library();
    let index = app.home.index_for(&library);
    app.home.catch_up(&app.store, &library).await?;
    let saved = app.store.saved_mixes(user_id).await?;
    let month = crate::home::period_starts(now_unix()).1;
    app.home.prepare_windows(user_id, &[month], &library);
    let plans = {
        let ledger = app.home.ledger();
        let taste = Taste::new(&library, &index, &ledger, user_id);
        let recent = taste.me().and_then(|user| user.window(month));
        let mut ids: Vec<MixId> = match kind {
            MixKind::Artists => artist_mix_seeds(&taste, recent, MIXES_LISTED),
            MixKind::Tracks => track_mix_seeds(&taste, recent, MIXES_LISTED),
        };
        for mix in &saved {
            if let Some(id) = MixId::parse(&mix.mixid).filter(|id| id.kind == kind) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids.into_iter()
            .filter_map(|id| plan_mix(&taste, id))
            .collect::<Vec<_>>()
    };
    let now = now_unix();
    Ok(plans
        .iter()
        .map(|plan| mix_json(&library, plan, user_id, &saved, now))
        .collect())
}

/// How many mixes of a kind `/plugins/mixes/<mixtype>` grows from listening.
const MIXES_LISTED: usize = 12;

/// One mix with its tracks (`/plugins/mixes/?mixid=&sourcehash=`). A `sourcehash` that is given
/// must be the mix's own.
pub async fn full_mix(
    app: &App,
    user_id: i64,
    mixid: &str,
    sourcehash: Option<&str>,
) -> Result<FullMixJson, MixError> {
    let id = MixId::parse(mixid).ok_or(MixError::InvalidId)?;
    if sourcehash.is_some_and(|given| !given.is_empty() && parse_hash(given) != Some(id.seed)) {
        return Err(MixError::NotFound);
    }
    let library = app.library();
    let index = app.home.index_for(&library);
    app.home.catch_up(&app.store, &library).await?;
    let saved = app
        .store
        .saved_mixes(user_id)
        .await
        .map_err(anyhow::Error::from)?;
    let plan = {
        let ledger = app.home.ledger();
        let taste = Taste::new(&library, &index, &ledger, user_id);
        plan_mix(&taste, id)
    }
    .ok_or(MixError::NotFound)?;
    let view = app.user_data.view(user_id, &library).await?;
    Ok(full_mix_json(
        &library,
        &plan,
        user_id,
        &saved,
        now_unix(),
        &view,
    ))
}

/// Saves the mix, or unsaves it if it was saved. Returns whether it is saved now. `kind`, when
/// given, must be the id's.
pub async fn toggle_saved(
    app: &App,
    user_id: i64,
    mixid: &str,
    kind: Option<&str>,
) -> Result<bool, MixError> {
    let id = MixId::parse(mixid).ok_or(MixError::InvalidId)?;
    if kind.is_some_and(|kind| MixKind::parse(kind) != Some(id.kind)) {
        return Err(MixError::InvalidId);
    }
    let library = app.library();
    let exists = match id.kind {
        MixKind::Artists => library.artist(id.seed).is_some(),
        MixKind::Tracks => library.track(id.seed).is_some(),
    };
    if !exists {
        return Err(MixError::NotFound);
    }
    let saved = app
        .store
        .toggle_saved_mix(
            user_id,
            &id.to_string(),
            id.kind.as_str(),
            &hash_hex(id.seed),
        )
        .await
        .map_err(anyhow::Error::from)?;
    Ok(saved)
}

/// The card of a mix.
pub(crate) fn mix_json(
    library: &Library,
    plan: &MixPlan,
    user_id: i64,
    saved: &[SavedMix],
    now: i64,
) -> MixJson {
    let mixid = plan.id.to_string();
    let saved_entry = saved.iter().find(|mix| mix.mixid == mixid);
    // A mix never played from is dated by its saving, if saved.
    let timestamp = if plan.timestamp > 0 {
        plan.timestamp
    } else {
        saved_entry.map_or(0, |mix| mix.saved_at)
    };
    let mut images: Vec<MixImage> = Vec::new();
    for trackhash in &plan.tracks {
        if images.len() == 4 {
            break;
        }
        let Some(track) = library.track(*trackhash) else {
            continue;
        };
        let image = format!("{:016x}.webp", track.albumhash);
        if !images.iter().any(|seen| seen.image == image) {
            let color = library.album_of(track).color.as_deref().map(str::to_owned);
            images.push(MixImage { image, color });
        }
    }
    let image = match plan.id.kind {
        MixKind::Artists => format!("{:016x}.webp", plan.id.seed),
        MixKind::Tracks => images
            .first()
            .map(|first| first.image.clone())
            .unwrap_or_default(),
    };
    MixJson {
        description: plan.description.clone(),
        extra: MixExtra {
            artisthash: hash_hex(plan.artisthash),
            image,
            images,
            og_sourcehash: hash_hex(plan.id.seed),
            kind: match plan.id.kind {
                MixKind::Artists => "artist",
                MixKind::Tracks => "track",
            },
        },
        help_text: None,
        id: mixid,
        saved: saved_entry.is_some(),
        sourcehash: hash_hex(plan.id.seed),
        time: (timestamp > 0).then(|| time_ago(timestamp, now)),
        timestamp,
        title: plan.title.clone(),
        trackshash: hash_hex(tracks_hash(&plan.tracks)),
        item_type: "mix",
        userid: user_id,
    }
}

fn full_mix_json(
    library: &Library,
    plan: &MixPlan,
    user_id: i64,
    saved: &[SavedMix],
    now: i64,
    view: &dyn UserView,
) -> FullMixJson {
    let tracks: Vec<_> = plan
        .tracks
        .iter()
        .filter_map(|hash| library.track(*hash))
        .collect();
    let seconds: u64 = tracks.iter().map(|track| u64::from(track.duration)).sum();
    FullMixJson {
        mix: mix_json(library, plan, user_id, saved, now),
        duration: duration_text(seconds),
        trackcount: tracks.len(),
        tracks: library.tracks_json(tracks, view),
    }
}

/// A hash of the mix's track list, so a client can tell that a mix changed.
fn tracks_hash(tracks: &[Hash]) -> Hash {
    let hex: Vec<String> = tracks.iter().map(|hash| hash_hex(*hash)).collect();
    swingfly_model::hash::hash_parts(hex.iter().map(String::as_str), false)
}
