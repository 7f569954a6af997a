//! Positions of every album and artist in the string sort orders (natural, case-folded,
//! optionally ignoring leading articles). The index is immutable, so string comparisons happen
//! once per index (on the first get-all); requests then sort by integers.

use swingfly_model::text::{natural_cmp, strip_article, SORT_ARTICLES};

use crate::entities::{Album, Artist};

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SortRanks {
    pub albums: AlbumRanks,
    pub artists: ArtistRanks,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AlbumRanks {
    pub title: Box<[u32]>,
    /// By the first album artist's name.
    pub artist: Box<[u32]>,
    pub artist_without_article: Box<[u32]>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ArtistRanks {
    pub name: Box<[u32]>,
    pub name_without_article: Box<[u32]>,
}

impl SortRanks {
    pub fn build(albums: &[Album], artists: &[Artist]) -> SortRanks {
        let (albums, artists) =
            rayon::join(|| AlbumRanks::build(albums), || ArtistRanks::build(artists));
        SortRanks { albums, artists }
    }
}

impl AlbumRanks {
    pub fn build(albums: &[Album]) -> AlbumRanks {
        let first_artists: Vec<&str> = albums.iter().map(first_artist).collect();
        let (title, (artist, artist_without_article)) = rayon::join(
            || ranks_by(albums.iter().map(|album| &*album.title).collect()),
            || {
                rayon::join(
                    || ranks_by(first_artists.clone()),
                    || {
                        ranks_by(
                            first_artists
                                .iter()
                                .map(|name| without_article(name))
                                .collect(),
                        )
                    },
                )
            },
        );
        AlbumRanks {
            title,
            artist,
            artist_without_article,
        }
    }
}

impl ArtistRanks {
    pub fn build(artists: &[Artist]) -> ArtistRanks {
        let names: Vec<&str> = artists.iter().map(|artist| &*artist.name).collect();
        let (name, name_without_article) = rayon::join(
            || ranks_by(names.clone()),
            || ranks_by(names.iter().map(|name| without_article(name)).collect()),
        );
        ArtistRanks {
            name,
            name_without_article,
        }
    }
}

fn first_artist(album: &Album) -> &str {
    album
        .albumartists
        .first()
        .map_or("", |artist| &*artist.name)
}

pub(crate) fn without_article(name: &str) -> &str {
    strip_article(name, SORT_ARTICLES)
}

/// `ranks[i]` = the position of `keys[i]` in natural order (ties keep index order).
fn ranks_by(keys: Vec<&str>) -> Box<[u32]> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order
        .sort_unstable_by(|&a, &b| natural_cmp(keys[a as usize], keys[b as usize]).then(a.cmp(&b)));
    let mut ranks = vec![0u32; keys.len()];
    for (rank, &item) in order.iter().enumerate() {
        ranks[item as usize] = rank as u32;
    }
    ranks.into_boxed_slice()
}
