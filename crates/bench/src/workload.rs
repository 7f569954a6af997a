//! What the load consists of: logging in, collecting real album, artist and track hashes from
//! the server, and search queries made from the library's own words (with typos).

use std::collections::BTreeSet;

use anyhow::{bail, Context};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Client, Url};
use serde_json::{json, Value};
use swingfly_fixtures::Manifest;

use crate::load::{Request, Route};

pub const BENCH_USER: &str = "bench";
pub const BENCH_PASSWORD: &str = "bench-password-1970";

/// Creates the benchmark user (the first user of a fresh data dir becomes admin) and logs in;
/// returns the access token.
pub async fn login(client: &Client, base: &Url) -> anyhow::Result<String> {
    let credentials = json!({ "username": BENCH_USER, "password": BENCH_PASSWORD });
    // A 400 here means the user exists already (a reused data dir); login decides.
    client
        .post(base.join("/auth/profile/create")?)
        .json(&credentials)
        .send()
        .await
        .context("POST /auth/profile/create")?;
    let response = client
        .post(base.join("/auth/login")?)
        .json(&credentials)
        .send()
        .await
        .context("POST /auth/login")?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match body.get("accesstoken").and_then(Value::as_str) {
        Some(token) if status.is_success() => Ok(token.to_owned()),
        _ => bail!("login failed ({status}): {body}"),
    }
}

async fn get_json(client: &Client, token: &str, url: Url) -> anyhow::Result<Value> {
    let response = client.get(url.clone()).bearer_auth(token).send().await?;
    let status = response.status();
    if !status.is_success() {
        bail!("GET {} answered {status}", url.path());
    }
    Ok(response.json().await?)
}

async fn post_json(client: &Client, token: &str, url: Url, body: Value) -> anyhow::Result<Value> {
    let response = client
        .post(url.clone())
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        bail!("POST {} answered {status}", url.path());
    }
    Ok(response.json().await?)
}

fn strings_at(items: Option<&Value>, key: &str) -> Vec<String> {
    items
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.get(key).and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Everything the routes need, gathered from the running server.
pub struct Targets {
    pub album_total: u64,
    pub albumhashes: Vec<String>,
    pub artisthashes: Vec<String>,
    /// (trackhash, filepath, file size) of streamable tracks.
    pub tracks: Vec<(String, String, u64)>,
}

/// Pages through `/getall` and opens some albums to find tracks.
pub async fn collect_targets(
    client: &Client,
    base: &Url,
    token: &str,
    manifest: &Manifest,
) -> anyhow::Result<Targets> {
    let mut albumhashes = Vec::new();
    let mut album_total = 0;
    for start in (0..2000).step_by(500) {
        let page = get_json(
            client,
            token,
            base.join(&format!("/getall/albums?start={start}&limit=500"))?,
        )
        .await?;
        album_total = page.get("total").and_then(Value::as_u64).unwrap_or(0);
        let hashes = strings_at(page.get("items"), "albumhash");
        let done = hashes.len() < 500;
        albumhashes.extend(hashes);
        if done {
            break;
        }
    }
    let artists = get_json(
        client,
        token,
        base.join("/getall/artists?start=0&limit=1000")?,
    )
    .await?;
    let artisthashes = strings_at(artists.get("items"), "artisthash");

    let sizes: std::collections::HashMap<String, u64> = manifest
        .tracks
        .iter()
        .filter_map(|track| {
            Some((
                track.path.to_str()?.to_owned(),
                std::fs::metadata(&track.path).ok()?.len(),
            ))
        })
        .collect();
    let mut tracks = Vec::new();
    for albumhash in albumhashes.iter().take(60) {
        let album = post_json(
            client,
            token,
            base.join("/album")?,
            json!({ "albumhash": albumhash }),
        )
        .await?;
        for track in album
            .get("tracks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(hash), Some(path)) = (
                track.get("trackhash").and_then(Value::as_str),
                track.get("filepath").and_then(Value::as_str),
            ) else {
                continue;
            };
            if let Some(size) = sizes.get(path) {
                tracks.push((hash.to_owned(), path.to_owned(), *size));
            }
        }
    }
    Ok(Targets {
        album_total,
        albumhashes,
        artisthashes,
        tracks,
    })
}

/// Search queries: whole words, two-word phrases and typo'd words from the library, plus
/// transliterated artist names.
pub fn search_queries(manifest: &Manifest, seed: u64, count: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let words = manifest.vocabulary();
    if words.is_empty() {
        return vec!["love".to_owned()];
    }
    let mut queries = BTreeSet::new();
    for fixed in [
        "beyonce",
        "bjork",
        "ac dc",
        "tyler creator",
        "sigur ros",
        "splin",
        "various",
    ] {
        queries.insert(fixed.to_owned());
    }
    let mut attempts = 0;
    while queries.len() < count && attempts < count * 20 {
        attempts += 1;
        let word = words.choose(&mut rng).expect("non-empty").clone();
        let query = match rng.gen_range(0..10) {
            0..=3 => word,
            4..=5 => format!("{word} {}", words.choose(&mut rng).expect("non-empty")),
            6 => word.chars().take(4).collect(),
            _ => typo(&word, &mut rng),
        };
        queries.insert(query);
    }
    let mut queries: Vec<String> = queries.into_iter().collect();
    queries.shuffle(&mut rng);
    queries
}

/// One keyboard slip: swapped neighbours, a dropped, doubled or replaced letter.
pub fn typo(word: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let at = rng.gen_range(1..chars.len() - 1);
    match rng.gen_range(0..4) {
        0 => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        _ => chars[at] = if chars[at] == 'e' { 'a' } else { 'e' },
    }
    chars.into_iter().collect()
}

/// Builds the benchmarked routes. Routes whose targets are missing are left out, with a reason.
pub fn routes(
    base: &Url,
    targets: &Targets,
    manifest: &Manifest,
    seed: u64,
) -> anyhow::Result<(Vec<Route>, Vec<String>)> {
    let mut routes = Vec::new();
    let mut left_out = Vec::new();
    let mut rng = StdRng::seed_from_u64(seed);

    let pages = (targets.album_total / 20).clamp(1, 100);
    routes.push(Route {
        name: "GET /getall/albums?limit=20".into(),
        requests: (0..pages)
            .map(|page| {
                base.join(&format!("/getall/albums?start={}&limit=20", page * 20))
                    .map(Request::get)
            })
            .collect::<Result<_, _>>()?,
    });

    if targets.albumhashes.is_empty() {
        left_out.push("POST /album: the server listed no albums".to_owned());
    } else {
        let url = base.join("/album")?;
        routes.push(Route {
            name: "POST /album".into(),
            requests: targets
                .albumhashes
                .iter()
                .map(|hash| Request::post_json(url.clone(), json!({ "albumhash": hash })))
                .collect(),
        });
    }

    if targets.artisthashes.is_empty() {
        left_out.push("GET /artist/<hash>: the server listed no artists".to_owned());
    } else {
        routes.push(Route {
            name: "GET /artist/<hash>".into(),
            requests: targets
                .artisthashes
                .iter()
                .map(|hash| base.join(&format!("/artist/{hash}")).map(Request::get))
                .collect::<Result<_, _>>()?,
        });
    }

    let folder_url = base.join("/folder")?;
    routes.push(Route {
        name: "POST /folder $home".into(),
        requests: vec![Request::post_json(
            folder_url.clone(),
            json!({ "folder": "$home" }),
        )],
    });
    let mut album_dirs: Vec<String> = manifest
        .albums
        .iter()
        .map(|album| {
            manifest
                .root
                .join(&album.folder)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    album_dirs.shuffle(&mut rng);
    album_dirs.truncate(500);
    if !album_dirs.is_empty() {
        routes.push(Route {
            name: "POST /folder <album dir>".into(),
            requests: album_dirs
                .into_iter()
                .map(|dir| Request::post_json(folder_url.clone(), json!({ "folder": dir })))
                .collect(),
        });
    }

    let queries = search_queries(manifest, seed, 400);
    let mut top = Vec::with_capacity(queries.len());
    let mut tracks = Vec::with_capacity(queries.len());
    for query in &queries {
        let mut url = base.join("/search/top")?;
        url.query_pairs_mut().append_pair("q", query);
        top.push(Request::get(url));
        let mut url = base.join("/search/")?;
        url.query_pairs_mut()
            .append_pair("q", query)
            .append_pair("itemtype", "tracks")
            .append_pair("start", "0")
            .append_pair("limit", "30");
        tracks.push(Request::get(url));
    }
    routes.push(Route {
        name: "GET /search/top?q=".into(),
        requests: top,
    });
    routes.push(Route {
        name: "GET /search/?itemtype=tracks".into(),
        requests: tracks,
    });

    if targets.tracks.is_empty() {
        left_out.push(
            "GET /file/<hash>/legacy: no track of the listed albums matched a generated file"
                .to_owned(),
        );
    } else {
        let mut requests = Vec::with_capacity(targets.tracks.len());
        for (hash, path, size) in &targets.tracks {
            let mut url = base.join(&format!("/file/{hash}/legacy"))?;
            url.query_pairs_mut().append_pair("filepath", path);
            let start = rng.gen_range(0..size.saturating_sub(1).max(1));
            let end = (start + 64 * 1024).min(size.saturating_sub(1));
            requests.push(Request::get(url).with_range(format!("bytes={start}-{end}")));
        }
        routes.push(Route {
            name: "GET /file/<hash>/legacy (Range)".into(),
            requests,
        });
    }
    Ok((routes, left_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_change_the_word_but_stay_close() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..50 {
            let slipped = typo("midnight", &mut rng);
            let length = slipped.chars().count() as i64;
            assert!((length - 8).abs() <= 1, "{slipped}");
            assert!(
                slipped.starts_with('m'),
                "the first letter stays: {slipped}"
            );
        }
        assert_ne!(
            (0..20)
                .map(|_| typo("satellite", &mut rng))
                .filter(|t| t != "satellite")
                .count(),
            0
        );
        assert_eq!(typo("ab", &mut rng), "ab");
    }
}
