//! Password hashing with Argon2id (the argon2 crate's defaults: Argon2id v19, 19 MiB, 2 passes),
//! stored as PHC strings so parameters can be raised later without breaking old hashes.
//!
//! Users imported from Swing Music keep Swing's hash until their first login: PBKDF2-HMAC-SHA256,
//! 100,000 iterations, salted with the Swing server's `serverId` string, stored by us as
//! `swing-pbkdf2$<salt>[,<legacy salt>]$<hex>`. A successful login replaces it with Argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

/// The tag of an imported Swing Music password hash.
const SWING_PBKDF2_TAG: &str = "swing-pbkdf2";
/// Swing's PBKDF2 iteration count.
const SWING_PBKDF2_ROUNDS: u32 = 100_000;
/// Swing keeps the derived key at SHA-256's length (hashlib's default `dklen`).
const SWING_KEY_BYTES: usize = 32;

/// Hashes a password into a PHC string (`$argon2id$v=19$...`) with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters and a valid salt cannot fail")
        .to_string()
}

/// Checks a password against a stored hash: a PHC string, or an imported Swing hash. A malformed
/// stored hash never matches.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    if let Some(swing) = SwingHash::parse(stored_hash) {
        return swing.verifies(password);
    }
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        tracing::warn!("a stored password hash is not a valid PHC string");
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Whether a stored hash is of an older scheme that a successful login should replace with Argon2id.
pub fn needs_rehash(stored_hash: &str) -> bool {
    stored_hash.starts_with(SWING_PBKDF2_TAG)
}

/// Swing Music's password hash: PBKDF2-HMAC-SHA256 of the password, 100,000 rounds, salted with
/// `salt` (the Swing server's `serverId`) as UTF-8, as lowercase hex.
pub fn swing_pbkdf2_hex(password: &str, salt: &str) -> String {
    hex::encode(swing_pbkdf2(password, salt))
}

fn swing_pbkdf2(password: &str, salt: &str) -> [u8; SWING_KEY_BYTES] {
    let mut key = [0u8; SWING_KEY_BYTES];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        SWING_PBKDF2_ROUNDS,
        &mut key,
    );
    key
}

/// The stored form of a password hash imported from Swing: its hex hash and the salts it may have
/// been made with (the `serverId`, then Swing's `legacy_serverId` if it had one, because Swing
/// itself still accepts hashes made with the legacy salt). `None` when the hash is not hex or no
/// salt is given.
pub fn swing_password_hash(hex_hash: &str, salts: &[&str]) -> Option<String> {
    let hex_hash = hex_hash.trim().to_ascii_lowercase();
    let decoded = hex::decode(&hex_hash).ok()?;
    let salts: Vec<&str> = salts
        .iter()
        .copied()
        .filter(|salt| !salt.is_empty())
        .collect();
    if decoded.len() != SWING_KEY_BYTES
        || salts.is_empty()
        || salts.iter().any(|salt| salt.contains(['$', ',']))
    {
        return None;
    }
    Some(format!("{SWING_PBKDF2_TAG}${}${hex_hash}", salts.join(",")))
}

/// A parsed `swing-pbkdf2$<salts>$<hex>`.
struct SwingHash<'a> {
    salts: Vec<&'a str>,
    key: Vec<u8>,
}

impl<'a> SwingHash<'a> {
    fn parse(stored: &'a str) -> Option<Self> {
        let rest = stored.strip_prefix(SWING_PBKDF2_TAG)?.strip_prefix('$')?;
        let (salts, hex_hash) = rest.rsplit_once('$')?;
        let key = hex::decode(hex_hash)
            .ok()
            .filter(|key| key.len() == SWING_KEY_BYTES);
        let Some(key) = key else {
            tracing::warn!("a stored Swing password hash is malformed");
            return None;
        };
        let salts = salts.split(',').filter(|salt| !salt.is_empty()).collect();
        Some(Self { salts, key })
    }

    fn verifies(&self, password: &str) -> bool {
        // Every salt is tried (no early exit), so the time taken does not tell which one matched.
        self.salts.iter().fold(false, |matched, salt| {
            constant_time_eq(&swing_pbkdf2(password, salt), &self.key) | matched
        })
    }
}

/// Compares two byte strings in time that depends on their length only.
fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let difference = left
        .iter()
        .zip(right)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

/// Hashing costs tens of milliseconds of CPU: keep it off the async worker threads.
pub(crate) async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || hash_password(&password)).await?)
}

pub(crate) async fn verify_password_blocking(
    password: String,
    stored_hash: String,
) -> anyhow::Result<bool> {
    Ok(tokio::task::spawn_blocking(move || verify_password(&password, &stored_hash)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let first = hash_password("correct horse");
        let second = hash_password("correct horse");
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second, "every hash has its own salt");
        assert!(verify_password("correct horse", &first));
        assert!(verify_password("correct horse", &second));
        assert!(!verify_password("Correct horse", &first));
        assert!(!verify_password("", &first));
    }

    /// A Swing hash computed independently of `swing_pbkdf2_hex`: RFC 7914's PBKDF2-HMAC-SHA256
    /// test vector ("passwd", salt "salt", 1 round) checks the primitive; the round count and
    /// tagging are checked through the stored form.
    #[test]
    fn pbkdf2_primitive_matches_the_rfc_vector() {
        let mut key = [0u8; 64];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"passwd", b"salt", 1, &mut key);
        assert_eq!(
            hex::encode(key),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }

    #[test]
    fn swing_hashes_verify_with_either_salt_and_ask_for_a_rehash() {
        let server_id = "9f1c0d6e2b";
        let legacy = "6b0e1f44-5b7c-4f0a-9d1e-2a3b4c5d6e7f";
        let current = swing_pbkdf2_hex("hunter2", server_id);
        let stored = swing_password_hash(&current, &[server_id, legacy]).unwrap();
        assert!(stored.starts_with("swing-pbkdf2$"));
        assert!(verify_password("hunter2", &stored));
        assert!(!verify_password("hunter3", &stored));
        assert!(needs_rehash(&stored));
        assert!(!needs_rehash(&hash_password("hunter2")));

        let old = swing_pbkdf2_hex("hunter2", legacy);
        let stored_old = swing_password_hash(&old, &[server_id, legacy]).unwrap();
        assert!(verify_password("hunter2", &stored_old));
        let without_legacy = swing_password_hash(&old, &[server_id]).unwrap();
        assert!(!verify_password("hunter2", &without_legacy));
    }

    #[test]
    fn malformed_swing_hashes_are_refused() {
        let hex = swing_pbkdf2_hex("x", "salt");
        assert_eq!(swing_password_hash("not hex", &["salt"]), None);
        assert_eq!(swing_password_hash(&hex[..10], &["salt"]), None);
        assert_eq!(swing_password_hash(&hex, &[]), None);
        assert_eq!(swing_password_hash(&hex, &["a$b"]), None);
        assert!(!verify_password("x", "swing-pbkdf2$salt$zz"));
        assert!(!verify_password("x", "swing-pbkdf2$salt"));
        assert!(!verify_password("x", &format!("swing-pbkdf2${hex}")));
        assert!(verify_password("x", &format!("swing-pbkdf2$salt${hex}")));
    }

    #[test]
    fn malformed_stored_hash_never_matches() {
        assert!(!verify_password("x", "not a phc string"));
        assert!(!verify_password("x", ""));
    }
}
