//! The namespace registry: every key the tier holds belongs to one namespace declared here, with
//! its data type, lifetime, scope, and how it is invalidated and rebuilt. The dashboard's namespace
//! list, the clear buttons and the docs all read this table, so a namespace that is not here cannot
//! be written.

use std::time::Duration;

use serde::Serialize;

/// A registered namespace. The key segment is [`NamespaceSpec::name`]: `sf:<name>:...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    /// Design use case 1: external metadata (artist images, genres, album metadata).
    Metadata,
    /// Use case 2: the versioned, compressed snapshot of the library index.
    TrackStore,
    /// Use case 3: token to session.
    Sessions,
    /// Use case 7: search results by library version, query, type and page.
    Search,
    /// Use case 8: similar artists and albums, mixes.
    Recommendations,
    /// Use case 9: home rows per user.
    Home,
    /// Use case 10: play counters.
    PlayCounts,
    /// Use case 11: recently played, a capped list per user.
    RecentlyPlayed,
    /// Use case 12: favourite status, a set per user.
    Favorites,
    /// Generation counters that make whole families of keys stale at once (no key scans).
    Generations,
}

/// The Redis data type a namespace's keys hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    String,
    Hash,
    List,
    Set,
    Counter,
}

/// Whether keys are shared by every user or belong to one user (and carry the user id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Global,
    User,
}

/// One row of the registry.
#[derive(Debug, Serialize)]
pub struct NamespaceSpec {
    #[serde(skip)]
    pub namespace: Namespace,
    /// The key segment after `sf:`.
    pub name: &'static str,
    /// The design document's use case number (0 for the tier's own bookkeeping).
    pub use_case: u8,
    pub title: &'static str,
    pub data_type: DataType,
    /// Lifetime of an entry; `None` lives until invalidated.
    #[serde(serialize_with = "serialize_ttl")]
    pub ttl: Option<Duration>,
    /// The longest an entry may live in the in-process layer, for data another process can change
    /// behind this one's back (the CLI revoking sessions in the ledger); `None`: as long as `ttl`.
    #[serde(serialize_with = "serialize_ttl")]
    pub local_ttl: Option<Duration>,
    pub scope: Scope,
    /// Which part of the server writes it.
    pub owner: &'static str,
    pub invalidation: &'static str,
    pub rebuild: &'static str,
}

/// The registry, in the order the dashboard lists it.
pub static REGISTRY: &[NamespaceSpec] = &[
    NamespaceSpec {
        namespace: Namespace::Metadata,
        name: "metadata",
        use_case: 1,
        title: "External metadata",
        data_type: DataType::String,
        ttl: Some(Duration::from_secs(12 * 3600)),
        local_ttl: None,
        scope: Scope::Global,
        owner: "metadata service",
        invalidation: "TTL (12 h)",
        rebuild: "SQL metadata cache, then the external API",
    },
    NamespaceSpec {
        namespace: Namespace::TrackStore,
        name: "trackstore",
        use_case: 2,
        title: "Library index snapshot",
        data_type: DataType::String,
        ttl: Some(Duration::from_secs(7 * 24 * 3600)),
        local_ttl: None,
        scope: Scope::Global,
        owner: "index loader",
        invalidation: "keyed by library version; a scan writes a new version",
        rebuild: "built from the SQL track ledger",
    },
    NamespaceSpec {
        namespace: Namespace::Sessions,
        name: "sessions",
        use_case: 3,
        title: "Sessions",
        data_type: DataType::String,
        ttl: Some(Duration::from_secs(24 * 3600)),
        local_ttl: Some(Duration::from_secs(5)),
        scope: Scope::Global,
        owner: "auth",
        invalidation: "deleted on logout; the user's generation is bumped on password change, role change and deletion; on every instance at once (pub/sub); at most 5 s in a process's own memory",
        rebuild: "read from the SQL sessions ledger",
    },
    NamespaceSpec {
        namespace: Namespace::Search,
        name: "search",
        use_case: 7,
        title: "Search results",
        data_type: DataType::String,
        ttl: Some(Duration::from_secs(6 * 3600)),
        local_ttl: None,
        scope: Scope::Global,
        owner: "search",
        invalidation: "keyed by library version",
        rebuild: "recomputed from the in-memory index",
    },
    NamespaceSpec {
        namespace: Namespace::Recommendations,
        name: "recs",
        use_case: 8,
        title: "Recommendations and mixes",
        data_type: DataType::String,
        ttl: Some(Duration::from_secs(12 * 3600)),
        local_ttl: None,
        scope: Scope::Global,
        owner: "home and mixes",
        invalidation: "keyed by library version (a scan)",
        rebuild: "recomputed from listening statistics and the index",
    },
    NamespaceSpec {
        namespace: Namespace::Home,
        name: "home",
        use_case: 9,
        title: "Home rows",
        data_type: DataType::String,
        ttl: Some(Duration::from_secs(600)),
        local_ttl: None,
        scope: Scope::User,
        owner: "home",
        invalidation: "keyed by the library version, the user's data generations (plays, favourites, restores), a signature of their playlists, collections and saved mixes, and a 5-minute bucket",
        rebuild: "recomputed from SQL scrobbles and the index",
    },
    NamespaceSpec {
        namespace: Namespace::PlayCounts,
        name: "plays",
        use_case: 10,
        title: "Play counters",
        data_type: DataType::Hash,
        ttl: None,
        local_ttl: None,
        scope: Scope::User,
        owner: "play logger",
        invalidation: "incremented by each logged play; SQL scrobbles are the truth",
        rebuild: "aggregated from SQL scrobbles when missing",
    },
    NamespaceSpec {
        namespace: Namespace::RecentlyPlayed,
        name: "recent",
        use_case: 11,
        title: "Recently played",
        data_type: DataType::List,
        ttl: Some(Duration::from_secs(30 * 24 * 3600)),
        local_ttl: None,
        scope: Scope::User,
        owner: "play logger",
        invalidation: "pushed by each logged play, capped at 50",
        rebuild: "the newest 50 SQL scrobbles",
    },
    NamespaceSpec {
        namespace: Namespace::Favorites,
        name: "fav",
        use_case: 12,
        title: "Favourite status",
        data_type: DataType::Set,
        ttl: Some(Duration::from_secs(24 * 3600)),
        local_ttl: None,
        scope: Scope::User,
        owner: "favourites",
        invalidation: "added and removed with each favourite change",
        rebuild: "the user's SQL favourites",
    },
    NamespaceSpec {
        namespace: Namespace::Generations,
        name: "gen",
        use_case: 0,
        title: "Generation counters",
        data_type: DataType::Counter,
        ttl: Some(Duration::from_secs(30 * 24 * 3600)),
        local_ttl: None,
        scope: Scope::Global,
        owner: "cache tier",
        invalidation: "incremented to make a family of keys stale",
        rebuild: "starts again from the current time when missing",
    },
];

impl Namespace {
    pub fn spec(self) -> &'static NamespaceSpec {
        // The registry is ordered like the enum, which a unit test checks.
        &REGISTRY[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn all() -> impl Iterator<Item = Namespace> {
        REGISTRY.iter().map(|spec| spec.namespace)
    }

    /// The namespace whose key segment (or enum-like name) is `name`.
    pub fn from_name(name: &str) -> Option<Namespace> {
        REGISTRY
            .iter()
            .find(|spec| spec.name.eq_ignore_ascii_case(name))
            .map(|spec| spec.namespace)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) const COUNT: usize = 10;
}

fn serialize_ttl<S: serde::Serializer>(ttl: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match ttl {
        Some(ttl) => s.serialize_some(&ttl.as_secs()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_ordered_like_the_enum_and_names_are_unique() {
        assert_eq!(REGISTRY.len(), Namespace::COUNT);
        for (index, spec) in REGISTRY.iter().enumerate() {
            assert_eq!(spec.namespace.index(), index, "{}", spec.name);
            assert_eq!(Namespace::from_name(spec.name), Some(spec.namespace));
            assert!(!spec.name.contains(':'), "{}", spec.name);
        }
        let mut names: Vec<_> = REGISTRY.iter().map(|spec| spec.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
    }
}
