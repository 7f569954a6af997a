//! Album, artist, get-all, search, folder and root-folder routes over real HTTP, against a real
//! scanned music folder.

mod library_support;

use library_support::*;
use serde_json::{json, Value};

const UNKNOWN_HASH: &str = "0123456789abcdef";

fn titles(cards: &Value) -> Vec<String> {
    cards
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {cards}"))
        .iter()
        .map(|card| card["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn album_routes_answer_swing_shapes_and_errors() {
    let server = TestServer::start().await;
    let standard = server.albumhash_of(STANDARD_EDITION).await;
    let deluxe = server.albumhash_of(DELUXE_EDITION).await;
    assert_ne!(standard, deluxe);

    // Without a token every library route is refused.
    let anonymous = reqwest::Client::new()
        .post(server.url("/album"))
        .json(&json!({"albumhash": standard}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let (status, page) = server
        .post_json("/album", json!({"albumhash": standard}))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["info"]["title"], "Night Drive");
    assert_eq!(page["info"]["albumhash"], standard.as_str());
    assert_eq!(page["info"]["trackcount"], 2);
    assert_eq!(page["info"]["is_favorite"], false);
    let tracks = page["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 2);
    assert_eq!(tracks[0]["track"], 1);
    assert_eq!(tracks[0]["disc"], 1);
    for key in ["copyright", "extra", "stats", "more_from", "other_versions"] {
        assert!(page.get(key).is_some(), "POST /album lacks {key}: {page}");
    }
    // The deluxe edition is another version of the standard one.
    let versions: Vec<&str> = page["other_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["albumhash"].as_str().unwrap())
        .collect();
    assert_eq!(versions, vec![deluxe.as_str()]);

    let (status, body) = server
        .post_json("/album", json!({"albumhash": UNKNOWN_HASH}))
        .await;
    assert_eq!((status, body), (404, json!({"error": "Album not found"})));
    let (status, body) = server
        .post_json("/album", json!({"albumhash": "abc"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["loc"], json!(["body", "albumhash"]));
    let (status, body) = server.post_json("/album", json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["type"], "missing");

    // Tracks in disc/track order, without the disc/track fields; both slash forms answer.
    for path in [
        format!("/album/{deluxe}/tracks"),
        format!("/album/{deluxe}/tracks/"),
    ] {
        let (status, body) = server.get_json(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(titles(&body), vec!["City Lights", "Midnight Bonus"]);
        assert!(body[0].get("track").is_none());
    }
    let (status, body) = server
        .get_json(&format!("/album/{UNKNOWN_HASH}/tracks"))
        .await;
    assert_eq!((status, body), (404, json!({"error": "Album not found"})));
    let (status, _) = server.get_json("/album/not-a-hash/tracks").await;
    assert_eq!(status, 422);

    // More from the album artist: the other artist's albums with a different base title only.
    let artisthash = page["info"]["albumartists"][0]["artisthash"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = server
        .post_json(
            "/album/from-artist",
            json!({"albumartists": [artisthash], "albumlimit": 6, "base_title": "Night Drive", "limit": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ artisthash.clone(): [] }));
    let (status, body) = server
        .post_json(
            "/album/from-artist",
            json!({"albumartists": [artisthash], "base_title": "Something Else"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body[&artisthash].as_array().unwrap().len(), 2);
    let (status, _) = server
        .post_json(
            "/album/from-artist",
            json!({"albumartists": ["short"], "base_title": "x"}),
        )
        .await;
    assert_eq!(status, 422);

    let (status, body) = server
        .post_json(
            "/album/other-versions",
            json!({"og_album_title": "Night Drive (Deluxe Edition)", "albumhash": deluxe}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["albumhash"], standard.as_str());

    let (status, body) = server
        .get_json(&format!(
            "/album/similar?artisthash={artisthash}&albumlimit=3"
        ))
        .await;
    assert_eq!((status, body), (200, json!([])));
    let (status, _) = server.get_json("/album/similar").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn artist_routes_use_swing_aliases_and_errors() {
    let server = TestServer::start().await;
    let track = server.track_at(STANDARD_EDITION).await;
    let artisthash = track["artists"][0]["artisthash"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, page) = server.get_json(&format!("/artist/{artisthash}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["artist"]["name"], "Aurora Lane");
    assert_eq!(page["artist"]["albumcount"], 2);
    // Three distinct songs: "City Lights" is one song on both editions.
    assert_eq!(page["artist"]["trackcount"], 3);
    assert_eq!(page["albums"]["artistname"], "Aurora Lane");
    for bucket in ["albums", "singles_and_eps", "appearances", "compilations"] {
        assert!(page["albums"][bucket].is_array(), "{bucket}");
    }
    assert!(page["tracks"][0]["help_text"].is_string());

    // `tracklimit` is the accepted spelling; `limit` is ignored.
    let (_, limited) = server
        .get_json(&format!("/artist/{artisthash}?tracklimit=1&limit=3"))
        .await;
    assert_eq!(limited["tracks"].as_array().unwrap().len(), 1);
    let (_, all) = server
        .get_json(&format!("/artist/{artisthash}?tracklimit=-1"))
        .await;
    assert_eq!(all["tracks"].as_array().unwrap().len(), 3);
    let (status, _) = server
        .get_json(&format!("/artist/{artisthash}?tracklimit=many"))
        .await;
    assert_eq!(status, 422);

    let (status, body) = server.get_json(&format!("/artist/{UNKNOWN_HASH}")).await;
    assert_eq!((status, body), (404, json!({"error": "Artist not found"})));
    let (status, _) = server.get_json("/artist/12345").await;
    assert_eq!(status, 422);

    let (status, albums) = server
        .get_json(&format!("/artist/{artisthash}/albums?albumlimit=1"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(albums["artistname"], "Aurora Lane");
    assert_eq!(albums["albums"].as_array().unwrap().len(), 1);
    let (_, every) = server
        .get_json(&format!(
            "/artist/{artisthash}/albums?albumlimit=1&all=true"
        ))
        .await;
    assert_eq!(every["albums"].as_array().unwrap().len(), 2);
    let (status, _) = server
        .get_json(&format!("/artist/{UNKNOWN_HASH}/albums"))
        .await;
    assert_eq!(status, 404);

    let (status, tracks) = server
        .get_json(&format!("/artist/{artisthash}/tracks"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(tracks.as_array().unwrap().len(), 3);
    assert_eq!(tracks[0]["help_text"], "unplayed");
    let (status, _) = server
        .get_json(&format!("/artist/{UNKNOWN_HASH}/tracks"))
        .await;
    assert_eq!(status, 404);

    let (status, similar) = server
        .get_json(&format!("/artist/{artisthash}/similar?artistlimit=2"))
        .await;
    assert_eq!((status, similar), (200, json!([])));
}

#[tokio::test]
async fn get_all_sorts_pages_and_rejects_unknown_types() {
    let server = TestServer::start().await;

    let (status, body) = server
        .get_json("/getall/albums?start=0&limit=20&sortby=title")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(
        titles(&body["items"]),
        vec!["Night Drive", "Night Drive", "Solo"]
    );

    // "1" (web, a string) and 1 (Android, a number in the URL all the same) mean descending.
    let (_, descending) = server
        .get_json("/getall/albums?sortby=title&reverse=1")
        .await;
    assert_eq!(
        titles(&descending["items"]),
        vec!["Solo", "Night Drive", "Night Drive"]
    );
    let (_, ascending) = server
        .get_json("/getall/albums?sortby=title&reverse=0")
        .await;
    assert_eq!(titles(&ascending["items"])[0], "Night Drive");

    let (_, paged) = server
        .get_json("/getall/albums?sortby=title&start=2&limit=5")
        .await;
    assert_eq!(titles(&paged["items"]), vec!["Solo"]);
    assert_eq!(paged["total"], 3);

    let (status, artists) = server
        .get_json("/getall/artists?sortby=name&limit=-1")
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = artists["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|artist| artist["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Aurora Lane", "Beta Ray"]);
    assert_eq!(artists["items"][0]["type"], "artist");

    let (status, body) = server.get_json("/getall/playlists").await;
    assert_eq!(status, 404, "an unknown item type is a 404, not a 500");
    assert!(
        body["error"].as_str().unwrap().contains("playlists"),
        "{body}"
    );

    let (status, body) = server.get_json("/getall/albums?sortby=nonsense").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body[0]["loc"], json!(["query", "sortby"]));
}

#[tokio::test]
async fn search_routes() {
    let server = TestServer::start().await;

    let (status, top) = server.get_json("/search/top?q=aurora&limit=6").await;
    assert_eq!(status, 200, "{top}");
    assert_eq!(top["top_result"]["name"], "Aurora Lane");
    assert_eq!(top["top_result"]["type"], "artist");
    assert!(!top["tracks"].as_array().unwrap().is_empty());
    assert!(top["tracks"].as_array().unwrap().len() <= 4);
    assert!(top["albums"].is_array() && top["artists"].is_array());

    for path in [
        "/search/top",
        "/search/top?q=",
        "/search/top?q=%20%20",
        "/search/?itemtype=tracks",
    ] {
        let (status, body) = server.get_json(path).await;
        assert_eq!(
            (status, body),
            (400, json!({"error": "No query provided"})),
            "{path}"
        );
    }

    // Both slash forms; Android's limit=-1 returns everything instead of dropping the last item.
    for path in [
        "/search/?q=lonely&itemtype=tracks",
        "/search?q=lonely&itemtype=tracks&limit=-1",
    ] {
        let (status, body) = server.get_json(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["results"][0]["title"], "Lonely Signal", "{path}");
        assert_eq!(body["more"], false);
    }
    let (status, body) = server.get_json("/search/?q=beta&itemtype=artists").await;
    assert_eq!(status, 200);
    assert_eq!(body["results"][0]["name"], "Beta Ray");
    let (status, body) = server
        .get_json("/search/?q=solo&itemtype=albums&limit=1")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["results"][0]["title"], "Solo");

    let (status, body) = server.get_json("/search/?q=solo&itemtype=songs").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body[0]["loc"], json!(["query", "itemtype"]));
}

#[tokio::test]
async fn folder_routes() {
    let server = TestServer::start().await;
    let music = server.music.to_string_lossy().into_owned();

    // One root: `$home` descends into it.
    let (status, home) = server.post_json("/folder", json!({})).await;
    assert_eq!(status, 200, "{home}");
    assert_eq!(home["path"], music.as_str());
    let names: Vec<&str> = home["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Aurora Lane", "Beta Ray"]);
    assert_eq!(home["folders"][0]["path"], format!("{music}/Aurora Lane/"));
    assert_eq!(home["folders"][0]["trackcount"], 4);

    let solo = format!("{music}/Beta Ray/Solo");
    let (status, listing) = server
        .post_json(
            "/folder",
            json!({"folder": solo, "sorttracksby": "title", "limit": 1}),
        )
        .await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(titles(&listing["tracks"]), vec!["Echo"]);
    assert_eq!(listing["total"], 2);

    let (status, body) = server.post_json("/folder", json!({"folder": "/etc"})).await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "Path not within allowed directories", "folders": [], "tracks": []})
        )
    );
    let (status, body) = server
        .post_json("/folder", json!({"folder": format!("{music}/Nowhere")}))
        .await;
    assert_eq!((status, body), (400, json!({"error": "Invalid directory"})));
    let (status, body) = server
        .post_json("/folder", json!({"folder": solo, "sorttracksby": "colour"}))
        .await;
    assert_eq!(status, 422, "{body}");

    let response = server
        .client
        .get(server.url("/folder/tracks/all"))
        .query(&[("path", format!("{music}/Aurora Lane"))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["tracks"].as_array().unwrap().len(), 4);
    let (status, _) = server.get_json("/folder/tracks/all").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn dir_browser_is_for_admins_and_lists_folders() {
    let server = TestServer::start().await;
    let music = server.music.to_string_lossy().into_owned();
    std::fs::create_dir(server.music.join(".hidden")).unwrap();
    std::fs::create_dir(server.music.join("$trash")).unwrap();

    let (status, body) = server
        .post_json("/folder/dir-browser", json!({"folder": music}))
        .await;
    assert_eq!(status, 200, "{body}");
    let folders = body["folders"].as_array().unwrap();
    let names: Vec<&str> = folders
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["↑", ". (this folder)", "Aurora Lane", "Beta Ray"]
    );
    assert_eq!(
        folders[0]["path"],
        server.music.parent().unwrap().to_string_lossy().as_ref()
    );
    assert_eq!(folders[1]["path"], music.as_str());
    assert_eq!(folders[2]["path"], format!("{music}/Aurora Lane"));

    let (status, body) = server
        .post_json("/folder/dir-browser", json!({"folder": "$root"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["folders"][0], json!({"name": "/", "path": "/"}));

    // `$home` is the configured home folder (the test's temp dir).
    let (status, body) = server.post_json("/folder/dir-browser", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["folders"][1]["path"],
        server.dir.path().to_string_lossy().as_ref()
    );

    let (status, body) = server
        .post_json(
            "/folder/dir-browser",
            json!({"folder": format!("{music}/missing")}),
        )
        .await;
    assert_eq!((status, body), (400, json!({"error": "Invalid directory"})));

    let (client, token) = server.plain_user_client().await;
    let response = client
        .post(server.url("/folder/dir-browser"))
        .bearer_auth(&token)
        .json(&json!({"folder": "/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"msg": "Only admins can do that!"})
    );
}

#[tokio::test]
async fn root_dirs_and_scans() {
    let server = TestServer::start().await;
    let music = server.music.to_string_lossy().into_owned();

    let (status, body) = server.get_json("/notsettings/get-root-dirs").await;
    assert_eq!((status, body), (200, json!({"dirs": [music]})));

    let (client, token) = server.plain_user_client().await;
    let response = client
        .post(server.url("/notsettings/add-root-dirs"))
        .bearer_auth(&token)
        .json(&json!({"new_dirs": ["/tmp"], "removed": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // Any user may trigger a scan.
    let response = client
        .get(server.url("/notsettings/trigger-scan"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"msg": "Scan triggered!"})
    );

    // A second root with one more song; the add starts a scan that indexes it.
    let extra = server.dir.path().join("more music");
    std::fs::create_dir_all(&extra).unwrap();
    let song = &SONGS[4];
    write_song(song, &extra.join("late.mp3"), None);
    let extra = std::fs::canonicalize(&extra)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let (status, body) = server
        .post_json(
            "/notsettings/add-root-dirs",
            json!({"new_dirs": [extra], "removed": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut expected = vec![music.clone(), extra.clone()];
    expected.sort();
    assert_eq!(body, json!({"root_dirs": expected}));

    let late = format!("{extra}/late.mp3");
    let mut indexed = false;
    for _ in 0..100 {
        if server
            .app
            .library()
            .files()
            .iter()
            .any(|file| *file.filepath == *late)
        {
            indexed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        indexed,
        "the background scan after add-root-dirs indexed the new root"
    );

    let (status, body) = server
        .post_json(
            "/notsettings/add-root-dirs",
            json!({"new_dirs": [], "removed": [extra]}),
        )
        .await;
    assert_eq!((status, body), (200, json!({"root_dirs": [music]})));
    let (status, _) = server
        .post_json("/notsettings/add-root-dirs", json!({"new_dirs": "x"}))
        .await;
    assert_eq!(status, 422);
}
