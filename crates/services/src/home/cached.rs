//! The home page through the cache tier (design use case 9). The key carries everything the page
//! depends on, so no edit path has to remember to invalidate it: the library version (a scan), the
//! user's data generations (every play and favourite, restores and imports), a signature of the
//! user's playlists, collections and saved mixes (one small SQL read), and a five-minute bucket
//! (the "x ago" texts and the week and month rows move with time). Other users' listening (the
//! anonymous co-listening behind the recommendation rows) reaches a page within that bucket.

use swingfly_cache::{Bytes, Key, Namespace};

use super::rows::home_page;
use crate::app::App;

/// How long a built page may be served before its "x ago" texts are refreshed.
const FRESHNESS_SECS: i64 = 300;

/// `/nothome/` as JSON bytes, from the cache tier when nothing it depends on changed.
pub async fn home_page_json(app: &App, user_id: i64, limit: usize) -> anyhow::Result<Bytes> {
    let library = app.library();
    let (everyone, user) = app.user_data.generations_of(user_id).await;
    let signature = app.store.home_signature(user_id).await?;
    let bucket = swingfly_library::humanize::now_unix() / FRESHNESS_SECS;
    let key = Key::user(
        Namespace::Home,
        user_id,
        &[
            &library.version(),
            &limit,
            &everyone,
            &user,
            &signature,
            &bucket,
        ],
    );
    app.cache
        .get_or_load(&key, async {
            let page = home_page(app, user_id, limit).await?;
            Ok::<_, anyhow::Error>(Bytes::from(serde_json::to_vec(&page)?))
        })
        .await
        .map_err(|error| anyhow::anyhow!("{error:#}"))
}
