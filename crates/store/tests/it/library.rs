use swingfly_store::{AlbumArtRow, RawTrack, StoreError};

use crate::support::{fresh_store, full_track};

#[tokio::test]
async fn every_field_round_trips_including_unicode_and_none() {
    let (_dir, store) = fresh_store().await;
    let unicode = RawTrack {
        filepath: "/música/Björk/Homogénic/01 – Hunter 🎵.flac".into(),
        folder: "/música/Björk/Homogénic".into(),
        size: i64::MAX as u64,
        mtime: -86_400,
        title: Some("Jóga (feat. 坂本龍一)".into()),
        album: Some("Homogénic".into()),
        artists: Some("Björk; Sigur Rós".into()),
        albumartists: Some("Björk".into()),
        genres: Some("Électronique/Art Pop".into()),
        date: Some("1997-09-22".into()),
        track: Some(u32::MAX),
        track_total: Some(10),
        disc: Some(0),
        disc_total: Some(1),
        copyright: Some("© 1997 One Little Indian".into()),
        composer: Some("Björk Guðmundsdóttir".into()),
        comment: Some("line one\nline two\t'quoted' \"double\"".into()),
        explicit: Some("yes".into()),
        duration: 305.123_456_789,
        bitrate: u32::MAX,
        samplerate: 192_000,
        bitdepth: Some(u8::MAX),
        channels: u8::MAX,
        has_picture: true,
        has_lyrics: true,
    };
    let bare = RawTrack {
        filepath: "/music/bare.mp3".into(),
        folder: "/music".into(),
        ..RawTrack::default()
    };
    let tracks = vec![full_track(7), unicode, bare];
    store.apply_scan(&tracks, &[]).await.unwrap();
    assert_eq!(store.load_tracks().await.unwrap(), tracks);
}

#[tokio::test]
async fn apply_scan_inserts_replaces_removes_and_bumps_the_version() {
    let (_dir, store) = fresh_store().await;
    let first: Vec<RawTrack> = (0..1000).map(full_track).collect();
    assert_eq!(store.apply_scan(&first, &[]).await.unwrap(), 1);
    assert_eq!(store.track_count().await.unwrap(), 1000);

    // Replace one track's tags and drop two others.
    let mut changed = full_track(5);
    changed.title = Some("Retagged".into());
    changed.album = None;
    changed.mtime += 60;
    let removed = vec![full_track(10).filepath, full_track(999).filepath];
    assert_eq!(
        store
            .apply_scan(std::slice::from_ref(&changed), &removed)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.library_version().await.unwrap(), 2);

    let loaded = store.load_tracks().await.unwrap();
    assert_eq!(loaded.len(), 998);
    assert!(loaded.iter().all(|t| !removed.contains(&t.filepath)));
    let reloaded = loaded
        .iter()
        .find(|t| t.filepath == changed.filepath)
        .unwrap();
    assert_eq!(reloaded, &changed);

    let known = store.known_files().await.unwrap();
    assert_eq!(known.len(), 998);
    assert_eq!(
        known[&changed.filepath],
        (changed.size, changed.mtime),
        "known_files reflects the replaced row"
    );
    assert!(!known.contains_key(&removed[0]));
}

#[tokio::test]
async fn an_empty_scan_changes_nothing_and_keeps_the_version() {
    let (_dir, store) = fresh_store().await;
    store.apply_scan(&[full_track(1)], &[]).await.unwrap();
    assert_eq!(store.apply_scan(&[], &[]).await.unwrap(), 1);
    assert_eq!(store.library_version().await.unwrap(), 1);
}

#[tokio::test]
async fn removing_unknown_paths_is_harmless() {
    let (_dir, store) = fresh_store().await;
    store.apply_scan(&[full_track(1)], &[]).await.unwrap();
    let version = store
        .apply_scan(&[], &["/not/there.mp3".to_string()])
        .await
        .unwrap();
    assert_eq!(version, 2);
    assert_eq!(store.track_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_rejected_scan_leaves_the_ledger_untouched() {
    let (_dir, store) = fresh_store().await;
    store.apply_scan(&[full_track(1)], &[]).await.unwrap();
    let mut too_big = full_track(2);
    too_big.size = u64::MAX;
    let error = store
        .apply_scan(&[full_track(3), too_big], &[full_track(1).filepath])
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Invalid { field: "size", .. }),
        "{error}"
    );
    assert_eq!(store.load_tracks().await.unwrap(), vec![full_track(1)]);
    assert_eq!(store.library_version().await.unwrap(), 1);

    let empty_path = RawTrack::default();
    assert!(matches!(
        store.apply_scan(&[empty_path], &[]).await.unwrap_err(),
        StoreError::Invalid {
            field: "filepath",
            ..
        }
    ));
}

#[tokio::test]
async fn album_art_upserts_and_loads() {
    let (_dir, store) = fresh_store().await;
    let rows: Vec<AlbumArtRow> = (0..1200)
        .map(|n| AlbumArtRow {
            albumhash: format!("{n:016x}"),
            color: Some(format!("rgb({}, 0, 0)", n % 256)),
            blurhash: (n % 2 == 0).then(|| "LEHV6nWB2yk8pyo0adR*.7kCMdnj".to_string()),
        })
        .collect();
    store.upsert_album_art(&rows).await.unwrap();
    assert_eq!(store.load_album_art().await.unwrap(), rows);

    let replaced = AlbumArtRow {
        albumhash: rows[3].albumhash.clone(),
        color: None,
        blurhash: Some("new".into()),
    };
    store
        .upsert_album_art(std::slice::from_ref(&replaced))
        .await
        .unwrap();
    let loaded = store.load_album_art().await.unwrap();
    assert_eq!(loaded.len(), 1200);
    assert_eq!(loaded[3], replaced);

    assert!(matches!(
        store
            .upsert_album_art(&[AlbumArtRow::default()])
            .await
            .unwrap_err(),
        StoreError::Invalid { .. }
    ));
}

#[tokio::test]
async fn corrupt_rows_are_reported_not_panicked_on() {
    let (dir, store) = fresh_store().await;
    store
        .apply_scan(&[full_track(1), full_track(2)], &[])
        .await
        .unwrap();
    // Damage the file behind the store's back, as a hand edit or another tool might.
    let url = format!("sqlite://{}", dir.path().join("swingfly.db").display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE tracks SET size = -1 WHERE filepath = ?")
        .bind(full_track(1).filepath)
        .execute(&mut conn)
        .await
        .unwrap();
    let error = store.load_tracks().await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Corrupt {
                field: "tracks.size",
                ..
            }
        ),
        "{error}"
    );
    assert!(store.known_files().await.is_err());

    sqlx::query("UPDATE tracks SET size = 1, title = CAST(x'C328' AS TEXT) WHERE filepath = ?")
        .bind(full_track(1).filepath)
        .execute(&mut conn)
        .await
        .unwrap();
    let error = store.load_tracks().await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Corrupt {
                field: "tracks.title",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loads_run_beside_scans_and_see_whole_scans_only() {
    let (_dir, store) = fresh_store().await;
    assert!(store.load_tracks().await.unwrap().is_empty());
    let batches: Vec<Vec<RawTrack>> = (0..10)
        .map(|b| (b * 500..(b + 1) * 500).map(full_track).collect())
        .collect();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for batch in &batches {
                store.apply_scan(batch, &[]).await.unwrap();
            }
        })
    };
    // Every load sees a whole number of committed scans: a scan is one transaction.
    while !writer.is_finished() {
        let loaded = store.load_tracks().await.unwrap();
        assert_eq!(
            loaded.len() % 500,
            0,
            "saw a partial scan: {}",
            loaded.len()
        );
    }
    writer.await.unwrap();
    assert_eq!(store.load_tracks().await.unwrap().len(), 5000);
    assert_eq!(store.library_version().await.unwrap(), 10);
}
