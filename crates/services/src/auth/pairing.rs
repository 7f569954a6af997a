//! Pair codes for signing a phone in: a logged-in user asks for a code, the phone trades it for a
//! token pair. A code is single-use and lives a few minutes. Codes are held in process memory.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::TokenPair;

/// How long a pair code can be redeemed.
pub const PAIR_CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);

struct Pending {
    tokens: TokenPair,
    expires: Instant,
}

#[derive(Default)]
pub(crate) struct PairCodes {
    pending: Mutex<HashMap<String, Pending>>,
}

impl PairCodes {
    /// Holds `tokens` under `code`. Returns false (holding nothing) when the code is already held.
    pub fn offer(&self, code: &str, tokens: TokenPair, now: Instant) -> bool {
        let mut pending = self.pending.lock();
        if pending.contains_key(code) {
            return false;
        }
        pending.insert(
            code.to_string(),
            Pending {
                tokens,
                expires: now + PAIR_CODE_LIFETIME,
            },
        );
        true
    }

    /// Takes the tokens held under `code`, if it is live. A code is gone after one redemption.
    pub fn redeem(&self, code: &str, now: Instant) -> Option<TokenPair> {
        let pending = self.pending.lock().remove(code)?;
        (now < pending.expires).then_some(pending.tokens)
    }

    /// Removes expired codes and returns their tokens, so their sessions can be revoked.
    pub fn sweep_expired(&self, now: Instant) -> Vec<TokenPair> {
        let mut pending = self.pending.lock();
        let expired: Vec<String> = pending
            .iter()
            .filter(|(_, entry)| now >= entry.expires)
            .map(|(code, _)| code.clone())
            .collect();
        expired
            .iter()
            .filter_map(|code| pending.remove(code))
            .map(|entry| entry.tokens)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(tag: &str) -> TokenPair {
        TokenPair {
            access_token: format!("access-{tag}"),
            refresh_token: format!("refresh-{tag}"),
            max_age: 60,
        }
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let codes = PairCodes::default();
        let now = Instant::now();
        assert!(codes.offer("abc123", tokens("1"), now));
        assert!(
            !codes.offer("abc123", tokens("2"), now),
            "a held code is not replaced"
        );
        assert_eq!(
            codes.redeem("abc123", now).unwrap().access_token,
            "access-1"
        );
        assert!(codes.redeem("abc123", now).is_none(), "single use");

        assert!(codes.offer("zzz999", tokens("3"), now));
        assert!(
            codes.redeem("zzz999", now + PAIR_CODE_LIFETIME).is_none(),
            "expired"
        );

        assert!(codes.offer("old111", tokens("4"), now));
        assert!(codes.offer("new222", tokens("5"), now + Duration::from_secs(200)));
        let swept = codes.sweep_expired(now + PAIR_CODE_LIFETIME);
        assert_eq!(swept.len(), 1);
        assert_eq!(swept[0].access_token, "access-4");
        assert!(codes.redeem("new222", now + PAIR_CODE_LIFETIME).is_some());
    }
}
