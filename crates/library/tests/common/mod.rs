//! Hand-made raw tracks and a sample library shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;

use swingfly_library::{AlbumArt, ItemKind, Library, PlayStats, UserView};
use swingfly_model::hash::{album_hash, artist_hash};
use swingfly_model::{Hash, IndexSettings, RawTrack};

/// A raw track under construction.
pub struct Raw(pub RawTrack);

/// A raw track at `path` with its folder set, 200 s long, 320 kbps, mtime 1_600_000_000.
pub fn raw(path: &str) -> Raw {
    let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
    Raw(RawTrack {
        filepath: path.to_owned(),
        folder: folder.to_owned(),
        size: 1_000_000,
        mtime: 1_600_000_000,
        duration: 200.0,
        bitrate: 320,
        samplerate: 44_100,
        channels: 2,
        ..RawTrack::default()
    })
}

impl Raw {
    pub fn title(mut self, title: &str) -> Self {
        self.0.title = Some(title.to_owned());
        self
    }
    pub fn artists(mut self, artists: &str) -> Self {
        self.0.artists = Some(artists.to_owned());
        self
    }
    pub fn album(mut self, album: &str, albumartists: &str) -> Self {
        self.0.album = Some(album.to_owned());
        self.0.albumartists = Some(albumartists.to_owned());
        self
    }
    pub fn disc_track(mut self, disc: u32, track: u32) -> Self {
        self.0.disc = Some(disc);
        self.0.track = Some(track);
        self
    }
    pub fn totals(mut self, track_total: u32, disc_total: u32) -> Self {
        self.0.track_total = Some(track_total);
        self.0.disc_total = Some(disc_total);
        self
    }
    pub fn year(mut self, year: &str) -> Self {
        self.0.date = Some(year.to_owned());
        self
    }
    pub fn bitrate(mut self, kbps: u32) -> Self {
        self.0.bitrate = kbps;
        self
    }
    pub fn mtime(mut self, mtime: i64) -> Self {
        self.0.mtime = mtime;
        self
    }
    pub fn duration(mut self, seconds: f64) -> Self {
        self.0.duration = seconds;
        self
    }
    pub fn genres(mut self, genres: &str) -> Self {
        self.0.genres = Some(genres.to_owned());
        self
    }
    pub fn copyright(mut self, copyright: &str) -> Self {
        self.0.copyright = Some(copyright.to_owned());
        self
    }
    pub fn picture(mut self) -> Self {
        self.0.has_picture = true;
        self
    }
    pub fn build(self) -> RawTrack {
        self.0
    }
}

pub const RECORD: &str = "Record";
pub const RECORD_DELUXE: &str = "Record (Deluxe Edition)";

/// The sample library's tracks: a standard and a deluxe edition sharing songs, a multi-disc
/// album (given out of order), a compilation, an album whose album artist plays on no track,
/// accented and CJK names, a single, an artist with a leading article, and a lower-bitrate
/// duplicate file.
pub fn sample_tracks(root: &str) -> Vec<RawTrack> {
    let at = |path: &str| raw(&format!("{root}/{path}"));
    vec![
        // Band - Record (2019), with an mp3 duplicate of the opener.
        at("Band/Record/01 Opening.flac")
            .title("Opening")
            .artists("Band")
            .album(RECORD, "Band")
            .disc_track(1, 1)
            .year("2019")
            .bitrate(1000)
            .copyright("(c) 2019 Band")
            .picture()
            .genres("Rock")
            .build(),
        at("Band/Record/01 Opening.mp3")
            .title("Opening")
            .artists("Band")
            .album(RECORD, "Band")
            .disc_track(1, 1)
            .year("2019")
            .bitrate(320)
            .build(),
        at("Band/Record/02 Song.flac")
            .title("Song (feat. Guest)")
            .artists("Band")
            .album(RECORD, "Band")
            .disc_track(1, 2)
            .year("2019")
            .bitrate(900)
            .mtime(1_600_000_100)
            .genres("Rock; Pop")
            .build(),
        // Band - Record (Deluxe Edition) (2020): the same two songs plus a bonus.
        at("Band/Record Deluxe/01 Opening.mp3")
            .title("Opening")
            .artists("Band")
            .album(RECORD_DELUXE, "Band")
            .disc_track(1, 1)
            .year("2020")
            .bitrate(256)
            .build(),
        at("Band/Record Deluxe/02 Song.mp3")
            .title("Song (feat. Guest)")
            .artists("Band")
            .album(RECORD_DELUXE, "Band")
            .disc_track(1, 2)
            .year("2020")
            .bitrate(256)
            .build(),
        at("Band/Record Deluxe/03 Bonus.mp3")
            .title("Bonus Cut")
            .artists("Band")
            .album(RECORD_DELUXE, "Band")
            .disc_track(1, 3)
            .year("2020")
            .bitrate(256)
            .build(),
        // Band - Double (2015), two discs, given out of order.
        at("Band/Double/CD2/02 Four.flac")
            .title("Four")
            .artists("Band")
            .album("Double", "Band")
            .disc_track(2, 2)
            .totals(2, 2)
            .year("2015")
            .duration(100.0)
            .build(),
        at("Band/Double/CD1/01 One.flac")
            .title("One")
            .artists("Band")
            .album("Double", "Band")
            .disc_track(1, 1)
            .totals(2, 2)
            .year("2015")
            .duration(100.0)
            .build(),
        at("Band/Double/CD2/01 Three.flac")
            .title("Three")
            .artists("Band")
            .album("Double", "Band")
            .disc_track(2, 1)
            .totals(2, 2)
            .year("2015")
            .duration(100.0)
            .build(),
        at("Band/Double/CD1/02 Two.flac")
            .title("Two")
            .artists("Band")
            .album("Double", "Band")
            .disc_track(1, 2)
            .totals(2, 2)
            .year("2015")
            .duration(100.0)
            .build(),
        // A compilation by Various Artists with Band and Other Act.
        at("Various/Hits/01.mp3")
            .title("Old Hit")
            .artists("Band")
            .album("Greatest Hits of the 80s", "Various Artists")
            .disc_track(1, 1)
            .year("1989")
            .build(),
        at("Various/Hits/02.mp3")
            .title("Their Hit")
            .artists("Other Act")
            .album("Greatest Hits of the 80s", "Various Artists")
            .disc_track(1, 2)
            .year("1989")
            .build(),
        // DJ Producer is only the album artist.
        at("Producer/Presents/01.mp3")
            .title("First Vocal")
            .artists("Singer")
            .album("Producer Presents", "DJ Producer")
            .disc_track(1, 1)
            .year("2010")
            .build(),
        at("Producer/Presents/02.mp3")
            .title("Second Vocal")
            .artists("Singer")
            .album("Producer Presents", "DJ Producer")
            .disc_track(1, 2)
            .year("2010")
            .build(),
        // Accented spellings that share an artisthash, and a CJK artist.
        at("Beyonce/I Am/01.flac")
            .title("Halo")
            .artists("Beyoncé")
            .album("I Am", "Beyoncé")
            .disc_track(1, 1)
            .year("2008")
            .build(),
        at("Beyonce/I Am/02.flac")
            .title("Single Ladies")
            .artists("Beyonce")
            .album("I Am", "Beyoncé")
            .disc_track(1, 2)
            .year("2008")
            .build(),
        at("Utada/First Love/01.flac")
            .title("First Love")
            .artists("宇多田ヒカル")
            .album("First Love", "宇多田ヒカル")
            .disc_track(1, 1)
            .year("1999")
            .build(),
        at("Utada/First Love/02.flac")
            .title("Automatic")
            .artists("宇多田ヒカル")
            .album("First Love", "宇多田ヒカル")
            .disc_track(1, 2)
            .year("1999")
            .build(),
        // A single and an artist with a leading article.
        at("Solo/Lonely/01.mp3")
            .title("Lonely")
            .artists("Solo")
            .album("Lonely", "Solo")
            .year("2021")
            .build(),
        at("Zeta/Alpha/01.mp3")
            .title("Alpha Song")
            .artists("The Zeta Band")
            .album("Alpha", "The Zeta Band")
            .year("2001")
            .build(),
    ]
}

pub fn sample_library(root: &str) -> Library {
    let mut art = HashMap::new();
    art.insert(
        albumhash(RECORD, "Band"),
        AlbumArt {
            color: Some("rgb(1, 2, 3)".to_owned()),
            blurhash: Some("LKO2?U%2Tw=w".to_owned()),
        },
    );
    Library::build(sample_tracks(root), &IndexSettings::default(), &art, 7)
}

pub fn albumhash(album: &str, albumartists: &str) -> Hash {
    album_hash(album, albumartists)
}

pub fn artisthash(name: &str) -> Hash {
    artist_hash(name)
}

pub fn hex(hash: Hash) -> String {
    format!("{hash:016x}")
}

/// A user with scripted plays and favourites.
#[derive(Default)]
pub struct ScriptedUser {
    pub plays: HashMap<Hash, PlayStats>,
    pub favorites: Vec<(ItemKind, Hash)>,
}

impl UserView for ScriptedUser {
    fn is_favorite(&self, kind: ItemKind, hash: Hash) -> bool {
        self.favorites.contains(&(kind, hash))
    }

    fn plays(&self, _kind: ItemKind, hash: Hash) -> PlayStats {
        self.plays.get(&hash).copied().unwrap_or_default()
    }
}
