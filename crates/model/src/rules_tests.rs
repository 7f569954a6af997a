use super::*;
use crate::hash::{hash_hex, hash_strings};

fn default_rules() -> Rules {
    Rules::new(&IndexSettings::default())
}

fn rules_with(change: impl FnOnce(&mut IndexSettings)) -> Rules {
    let mut settings = IndexSettings::default();
    change(&mut settings);
    Rules::new(&settings)
}

fn raw(title: &str, album: &str, artists: &str, albumartists: &str) -> RawTrack {
    let tag = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    RawTrack {
        filepath: "/music/Drake/Views/01 - Song.flac".into(),
        folder: "/music/Drake/Views".into(),
        mtime: 1_700_000_000,
        title: tag(title),
        album: tag(album),
        artists: tag(artists),
        albumartists: tag(albumartists),
        duration: 215.9,
        ..RawTrack::default()
    }
}

fn names(artists: &[ArtistRef]) -> Vec<&str> {
    artists.iter().map(|artist| &*artist.name).collect()
}

#[test]
fn splits_on_separators_and_commas() {
    let rules = default_rules();
    assert_eq!(rules.split_artists("A/B;C, D"), ["A", "B", "C", "D"]);
    assert_eq!(rules.split_artists(" A ;; B ; "), ["A", "B"]);
    assert_eq!(rules.split_artists("A; A; B"), ["A", "B"]);
    assert_eq!(
        rules.split_artists("A & B x C feat. D and E"),
        ["A & B x C feat. D and E"]
    );
    assert!(rules.split_artists(" ; ").is_empty());
}

#[test]
fn ignore_list_names_stay_whole() {
    let rules = default_rules();
    assert_eq!(rules.split_artists("AC/DC"), ["AC/DC"]);
    assert_eq!(
        rules.split_artists("ac/dc; Tyler, the creator"),
        ["ac/dc", "Tyler, the creator"]
    );
    assert_eq!(
        rules.split_artists("Crosby, Stills, Nash & Young, Neil Young"),
        ["Crosby, Stills, Nash & Young", "Neil Young"]
    );
    assert_eq!(
        rules.split_artists("Earth, Wind & Fire/The Emotions"),
        ["Earth, Wind & Fire", "The Emotions"]
    );
    // A name swallowed inside a longer token protects its separators but does not split it off.
    assert_eq!(
        rules.split_artists("The AC/DC Tribute; X"),
        ["The AC/DC Tribute", "X"]
    );
}

#[test]
fn user_ignore_list_and_separators() {
    let rules = rules_with(|s| {
        s.artist_separators.push("&".into());
        s.artist_separators.push(" x ".into());
        s.artist_split_ignore_list.push("Ünïcode/Band".into());
    });
    assert_eq!(
        rules.split_artists("Simon & Garfunkel & Paul"),
        ["Simon & Garfunkel", "Paul"]
    );
    assert_eq!(rules.split_artists("A x B"), ["A", "B"]);
    assert_eq!(rules.split_artists("ÜNÏCODE/BAND/C"), ["ÜNÏCODE/BAND", "C"]);
    // Without "&" as a separator the duo needs no protection and is simply one token.
    assert_eq!(
        default_rules().split_artists("Simon & Garfunkel & Paul"),
        ["Simon & Garfunkel & Paul"]
    );
}

#[test]
fn featured_artists_join_track_artists_only() {
    let track = default_rules().track(&raw(
        "Work (feat. Drake, Rihanna)",
        "Anti",
        "Rihanna",
        "Rihanna",
    ));
    assert_eq!(names(&track.artists), ["Rihanna", "Drake"]);
    assert_eq!(names(&track.albumartists), ["Rihanna"]);
    assert_eq!(track.title, "Work ");
    assert_eq!(track.og_title, "Work (feat. Drake, Rihanna)");
    assert_eq!(track.album, "Anti");
    assert_eq!(
        track.trackhash,
        hash_strings(&["Work ", "Anti", "Rihanna", "Drake"], false)
    );
}

#[test]
fn featured_artists_in_square_brackets_and_transliterated_duplicates() {
    let track = default_rules().track(&raw("Song [ft. Beyonce]", "Album", "Beyoncé", ""));
    assert_eq!(names(&track.artists), ["Beyoncé"]);
    assert_eq!(track.title, "Song ");
}

#[test]
fn featured_extraction_can_be_turned_off() {
    let rules = rules_with(|s| s.extract_featured_artists = false);
    let track = rules.track(&raw("Work (feat. Drake)", "Anti", "Rihanna", ""));
    assert_eq!(names(&track.artists), ["Rihanna"]);
    assert_eq!(track.title, "Work (feat. Drake)");
}

#[test]
fn singles_take_the_cleaned_title_as_album() {
    let track = default_rules().track(&raw("Song (feat. B)", "Song (feat. B)", "A", ""));
    assert_eq!(track.title, "Song ");
    assert_eq!(track.album, "Song ");
    assert_eq!(track.og_album, "Song (feat. B)");
    // The album hash stays the tag-time one.
    assert_eq!(
        track.albumhash,
        hash_strings(&["Song (feat. B)", "A"], false)
    );
}

#[test]
fn producer_and_remaster_notes_are_removed() {
    let rules = default_rules();
    assert_eq!(
        rules
            .track(&raw("Song (prod. Metro Boomin)", "X", "A", ""))
            .title,
        "Song"
    );
    assert_eq!(
        rules
            .track(&raw("Song - 2011 Remaster", "X", "A", ""))
            .title,
        "Song"
    );
    assert_eq!(
        rules
            .track(&raw("Song (feat. B) [Remastered 2009]", "X", "A", ""))
            .title,
        "Song"
    );
    let kept = rules_with(|s| {
        s.remove_prod_by = false;
        s.remove_remaster_info = false;
    });
    assert_eq!(
        kept.track(&raw("Song (prod. X)", "X", "A", "")).title,
        "Song (prod. X)"
    );
    assert_eq!(
        kept.track(&raw("Song - Remaster", "X", "A", "")).title,
        "Song - Remaster"
    );
}

#[test]
fn album_titles_are_cleaned_but_hashed_raw() {
    let deluxe = default_rules().track(&raw("Hotline Bling", "Views (Deluxe)", "Drake", "Drake"));
    let standard = default_rules().track(&raw("Hotline Bling", "Views", "Drake", "Drake"));
    assert_eq!(deluxe.album, "Views");
    assert_eq!(deluxe.og_album, "Views (Deluxe)");
    assert_eq!(hash_hex(deluxe.albumhash), "811f49573d52d326");
    assert_ne!(deluxe.albumhash, standard.albumhash);
    // The cleaned album makes both editions share a trackhash.
    assert_eq!(deluxe.trackhash, standard.trackhash);

    let unclean = rules_with(|s| s.clean_album_title = false);
    assert_eq!(
        unclean
            .track(&raw("T", "Views (Deluxe)", "Drake", ""))
            .album,
        "Views (Deluxe)"
    );
}

#[test]
fn merge_albums_hashes_the_cleaned_title_and_album_artists() {
    let rules = rules_with(|s| s.merge_albums = true);
    let deluxe = rules.track(&raw("T", "Views (Deluxe)", "Drake", "Drake; Future"));
    let standard = rules.track(&raw("T2", "Views", "Drake", "Drake/Future"));
    assert_eq!(deluxe.albumhash, standard.albumhash);
    assert_eq!(
        deluxe.albumhash,
        hash_strings(&["Views", "Drake", "Future"], false)
    );

    let merge_only = rules_with(|s| {
        s.merge_albums = true;
        s.clean_album_title = false;
    });
    let track = merge_only.track(&raw("T", "Views (Deluxe)", "Drake", "Drake, Future"));
    assert_eq!(track.album, "Views (Deluxe)");
    assert_eq!(track.albumhash, deluxe.albumhash);

    // Only one version bracket is stripped, as for the displayed title.
    let nested = rules.track(&raw("T", "Views (Deluxe) (Remastered)", "Drake", ""));
    assert_eq!(nested.album, "Views (Deluxe)");
    assert_eq!(
        nested.albumhash,
        hash_strings(&["Views (Deluxe)", "Drake"], false)
    );
}

#[test]
fn known_hash_values() {
    // Computed independently with Python's xxhash and Unidecode.
    let track = default_rules().track(&raw(
        "Hotline Bling (feat. Rihanna)",
        "Views",
        "Drake",
        "Drake",
    ));
    assert_eq!(hash_hex(track.trackhash), "4db61c69cb30f824");
    assert_eq!(hash_hex(track.pathhash), "aad35788ccc2751b");
    let beyonce = default_rules().track(&raw("T", "A", "Beyoncé", ""));
    assert_eq!(hash_hex(beyonce.artists[0].hash), "12181865af381b18");
    let jay = default_rules().track(&raw("T", "A", "周杰伦", ""));
    assert_eq!(hash_hex(jay.artists[0].hash), "37bce7458e9c65c4");
    assert_eq!(
        default_rules().parse_genres("R&B")[0].genrehash,
        "fe24bc8e428dba1f"
    );
}

#[test]
fn weakhash_uses_raw_title_and_artist_string() {
    let track = default_rules().track(&raw("Song (feat. B)", "X", "A; C", ""));
    assert_eq!(
        track.weakhash,
        hash_strings(&["Song (feat. B)", "A; C"], false)
    );
}

#[test]
fn artists_and_album_artists_stand_in_for_each_other() {
    let rules = default_rules();
    let only_artist = rules.track(&raw("T", "X", "A; B", ""));
    assert_eq!(names(&only_artist.albumartists), ["A", "B"]);
    assert_eq!(only_artist.albumhash, hash_strings(&["X", "A; B"], false));
    let only_albumartist = rules.track(&raw("T", "X", "", "C"));
    assert_eq!(names(&only_albumartist.artists), ["C"]);
}

#[test]
fn filename_supplies_missing_title_album_and_artists() {
    let mut file = raw("", "", "", "");
    file.filepath = "/music/01 - Some_Artist - Song (Official Video).mp3".into();
    let track = default_rules().track(&file);
    assert_eq!(track.title, "Song");
    assert_eq!(track.og_title, "Song");
    assert_eq!(track.album, "Song");
    assert_eq!(names(&track.artists), ["Some Artist"]);
    assert_eq!(names(&track.albumartists), ["Some Artist"]);

    let mut tagged_artist = raw("", "Album", "Tagged", "");
    tagged_artist.filepath = "/music/Other - Title.mp3".into();
    let track = default_rules().track(&tagged_artist);
    assert_eq!(
        (track.title.as_str(), track.album.as_str()),
        ("Title", "Album")
    );
    assert_eq!(names(&track.artists), ["Tagged"]);
}

#[test]
fn unknown_when_nothing_names_the_artist() {
    let mut file = raw("", "", "", "");
    file.filepath = "/music/Just a title.ogg".into();
    let track = default_rules().track(&file);
    assert_eq!(track.title, "Just a title");
    assert_eq!(names(&track.artists), [UNKNOWN]);
    assert_eq!(names(&track.albumartists), [UNKNOWN]);
    assert_eq!(
        track.albumhash,
        hash_strings(&["Just a title", UNKNOWN], false)
    );
}

#[test]
fn genres_are_normalised() {
    let genres = default_rules().parse_genres("Hip-Hop/R&B; Rock & Roll, Pop & Soul,, pop");
    let names: Vec<&str> = genres.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["hip-hop", "RnB", "rock", "pop", "soul"]);
    assert_eq!(genres[1].genrehash, hash_hex(hash_strings(&["rnb"], false)));
    let custom = rules_with(|s| s.genre_separators = vec!["|".into()]);
    let names: Vec<String> = custom
        .parse_genres("Jazz|Funk & Soul, Pop")
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, ["jazz", "funk & soul", "pop"]);
}

#[test]
fn values_dates_and_defaults() {
    let rules = default_rules();
    let mut file = raw("T", "A", "X", "");
    file.genres = Some("Pop".into());
    file.explicit = Some("1".into());
    file.date = Some("2020".into());
    file.composer = Some("C".into());
    let track = rules.track(&file);
    assert_eq!(track.date, 1_577_836_800);
    assert_eq!(track.duration, 215);
    assert_eq!((track.track, track.disc), (1, 1));
    assert!(track.explicit);
    assert_eq!(track.genres.len(), 1);
    assert_eq!(track.last_mod, 1_700_000_000);
    assert_eq!(track.filepath, "/music/Drake/Views/01 - Song.flac");
    assert_eq!(track.composer.as_deref(), Some("C"));
    assert_eq!(rules.into_track(file.clone()), track);

    file.date = Some("Unknown".into());
    file.explicit = Some("2".into());
    file.track = Some(4);
    file.duration = f64::NAN;
    let track = rules.track(&file);
    assert_eq!(track.date, 1_700_000_000);
    assert!(!track.explicit);
    assert_eq!(track.track, 4);
    assert_eq!(track.duration, 0);
}

#[test]
fn track_from_raw_matches_rules_track() {
    let rules = default_rules();
    let file = raw("T (feat. B)", "A", "X", "");
    assert_eq!(Track::from_raw(&file, &rules), rules.track(&file));
}

/// Run with `cargo test -p swingfly-model --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_of_rules_track() {
    let rules = default_rules();
    let titles = [
        "Song (feat. A, B)",
        "Plain Title",
        "Song - 2011 Remaster",
        "Song (prod. X)",
    ];
    let count = std::env::var("SWINGFLY_TIMING_TRACKS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let raws: Vec<RawTrack> = (0..count)
        .map(|i| {
            let mut file = raw(
                titles[i % titles.len()],
                &format!("Album {} (Deluxe Edition)", i / 12),
                if i % 3 == 0 {
                    "Artist One; Artist Two"
                } else {
                    "Artist One"
                },
                "Artist One",
            );
            file.filepath = format!("/music/Artist/Album {}/{i:02} - Song.flac", i / 12);
            file.genres = Some("Hip-Hop/R&B".into());
            file.date = Some("2020-01-02".into());
            file
        })
        .collect();
    // The machine may be busy: report the best of several rounds.
    let mut best = std::time::Duration::MAX;
    for _ in 0..7 {
        let started = std::time::Instant::now();
        let tracks: Vec<Track> = raws.iter().map(|file| rules.track(file)).collect();
        best = best.min(started.elapsed());
        drop(tracks);
    }
    println!(
        "Rules::track: best of 7 rounds over {} tracks took {:?} ({} ns/track, one thread)",
        raws.len(),
        best,
        best.as_nanos() / raws.len() as u128
    );
}
