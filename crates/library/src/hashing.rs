//! Maps keyed by Swing hashes. The keys are already XXH3 outputs, so hashing them again (SipHash)
//! would only cost time: the identity hasher passes them through.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A pass-through hasher for `u64` keys that are already well-mixed hashes.
#[derive(Default)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u64 keys; fold the bytes in so the hasher stays correct.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A map from a Swing hash to `V`.
pub type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;
