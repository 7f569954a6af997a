//! Swing Music's hash scheme (reference §5.1). Hashes are XXH3-64 values; on the wire they are
//! 16 lowercase hex characters. In memory they are `u64` to keep the index small.

/// A Swing Music hash (trackhash, albumhash, artisthash, weakhash, pathhash).
pub type Hash = u64;

/// Formats a hash the way clients see it: 16 lowercase hex characters.
pub fn hash_hex(hash: Hash) -> String {
    format!("{hash:016x}")
}

/// Parses a wire hash. Only exactly 16 hex characters are accepted (Swing answers 422 otherwise).
pub fn parse_hash(text: &str) -> Option<Hash> {
    if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}
