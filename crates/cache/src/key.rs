//! Key construction: `sf:<namespace>:<parts...>`, deterministic (no per-process salt), with the user
//! id as a `{u<id>}` hash tag on per-user keys so multi-key operations on one user's keys stay on one
//! shard of a clustered server.

use std::fmt::Write;

use crate::namespace::{Namespace, Scope};

/// Every key starts with this prefix; nothing else in the server may write under it.
pub const PREFIX: &str = "sf";

/// A cache key in a registered namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    namespace: Namespace,
    text: String,
}

impl Key {
    /// A key shared by every user: `sf:<ns>:<part>:<part>...`.
    pub fn global(namespace: Namespace, parts: &[&dyn std::fmt::Display]) -> Key {
        debug_assert_eq!(namespace.spec().scope, Scope::Global, "{namespace:?}");
        let mut text = format!("{PREFIX}:{}", namespace.name());
        push_parts(&mut text, parts);
        Key { namespace, text }
    }

    /// A key of one user's data: `sf:<ns>:{u<id>}:<part>...`.
    pub fn user(namespace: Namespace, user_id: i64, parts: &[&dyn std::fmt::Display]) -> Key {
        debug_assert_eq!(namespace.spec().scope, Scope::User, "{namespace:?}");
        let mut text = format!("{PREFIX}:{}:{{u{user_id}}}", namespace.name());
        push_parts(&mut text, parts);
        Key { namespace, text }
    }

    /// A generation counter for a family of keys, e.g. `sf:gen:home:{u7}`.
    pub(crate) fn generation(family: &str) -> Key {
        Key {
            namespace: Namespace::Generations,
            text: format!("{PREFIX}:{}:{family}", Namespace::Generations.name()),
        }
    }

    pub fn namespace(&self) -> Namespace {
        self.namespace
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// This key with a generation number appended (`...:g<n>`).
    pub(crate) fn with_generation(&self, generation: u64) -> Key {
        Key {
            namespace: self.namespace,
            text: format!("{}:g{generation}", self.text),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The SCAN pattern matching every key of a namespace.
pub(crate) fn namespace_pattern(namespace: Namespace) -> String {
    format!("{PREFIX}:{}:*", namespace.name())
}

/// The prefix every key of a namespace starts with (for the in-process tier).
pub(crate) fn namespace_prefix(namespace: Namespace) -> String {
    format!("{PREFIX}:{}:", namespace.name())
}

/// Parts are joined with `:`; a part containing `:`, `*`, `?`, `[`, `{` or whitespace is replaced by
/// the hex of its bytes so that user input (a search query) can never
/// make a key that matches another namespace's SCAN pattern or breaks the structure.
fn push_parts(text: &mut String, parts: &[&dyn std::fmt::Display]) {
    for part in parts {
        let part = part.to_string();
        text.push(':');
        if part.chars().any(|c| {
            matches!(c, ':' | '*' | '?' | '[' | ']' | '{' | '}' | '\\') || c.is_whitespace()
        }) {
            text.push('x');
            for byte in part.as_bytes() {
                let _ = write!(text, "{byte:02x}");
            }
        } else {
            text.push_str(&part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_scoped() {
        let key = Key::global(Namespace::Search, &[&42, &"tracks", &0]);
        assert_eq!(key.as_str(), "sf:search:42:tracks:0");
        let key = Key::user(Namespace::Home, 7, &[&3]);
        assert_eq!(key.as_str(), "sf:home:{u7}:3");
        assert_eq!(key.with_generation(5).as_str(), "sf:home:{u7}:3:g5");
        assert_eq!(Key::generation("home:{u7}").as_str(), "sf:gen:home:{u7}");
    }

    #[test]
    fn hostile_parts_cannot_escape_their_segment() {
        let key = Key::global(Namespace::Search, &[&"a:b *"]);
        assert_eq!(key.as_str(), "sf:search:x613a62202a");
        assert!(key
            .as_str()
            .starts_with(&namespace_prefix(Namespace::Search)));
    }
}
