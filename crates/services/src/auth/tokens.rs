//! JWT encoding and decoding. The claims mirror flask-jwt-extended's as Swing Music issues them, so
//! clients that peek into a token find what they expect: `sub` is the user object (not a string),
//! plus `type`, `fresh`, `iat`, `nbf`, `jti` and `exp`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{AuthError, TokenKind, User};

/// What a token says about itself once its signature checked out.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedClaims {
    pub jti: String,
    /// The user id in `sub` (every token this server signs has one).
    pub user_id: Option<i64>,
    pub kind: TokenKind,
    pub expires_at: i64,
}

#[derive(Serialize)]
struct OutgoingClaims<'a> {
    fresh: bool,
    iat: i64,
    jti: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    sub: &'a User,
    nbf: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct IncomingClaims {
    jti: String,
    sub: Option<SubjectClaim>,
    #[serde(rename = "type")]
    kind: String,
    exp: i64,
    nbf: Option<i64>,
}

/// The part of Swing's object `sub` that sessions need.
#[derive(Deserialize)]
struct SubjectClaim {
    id: Option<i64>,
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
}

/// Signs and checks tokens with the server's secret (HS256 only).
pub(crate) struct TokenCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenCodec {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn encode(
        &self,
        user: &User,
        jti: &str,
        kind: TokenKind,
        issued_at: i64,
        expires_at: i64,
    ) -> anyhow::Result<String> {
        let claims = OutgoingClaims {
            fresh: false,
            iat: issued_at,
            jti,
            kind: kind.as_str(),
            sub: user,
            nbf: issued_at,
            exp: expires_at,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Checks the signature, then expiry and not-before (no leeway), in that order, as PyJWT does:
    /// a forged expired token reports the bad signature.
    pub fn decode(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        self.decode_with(token, true)
    }

    /// Checks the signature only: logging out with an expired token still revokes its session.
    pub fn decode_ignoring_expiry(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        self.decode_with(token, false)
    }

    // jsonwebtoken's own `decode` cannot read these tokens: it insists on parsing `sub` as a
    // string and fails on Swing's object `sub` (Keats/jsonwebtoken#427). So the signature is
    // checked with its `crypto::verify` and the payload is read here.
    fn decode_with(&self, token: &str, check_time: bool) -> Result<VerifiedClaims, AuthError> {
        let mut parts = token.split('.');
        let (Some(encoded_header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            let message = if token.matches('.').count() < 2 {
                "Not enough segments"
            } else {
                "Too many segments"
            };
            return Err(AuthError::Malformed(message.into()));
        };
        let header: JwtHeader = base64url_decode(encoded_header)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| AuthError::Malformed("Invalid header string".into()))?;
        if header.alg != "HS256" {
            return Err(AuthError::Malformed(
                "The specified alg value is not allowed".into(),
            ));
        }
        let signed = &token[..encoded_header.len() + 1 + payload.len()];
        let valid = jsonwebtoken::crypto::verify(
            signature,
            signed.as_bytes(),
            &self.decoding,
            Algorithm::HS256,
        )
        .map_err(|_| AuthError::Malformed("Invalid crypto padding".into()))?;
        if !valid {
            return Err(AuthError::BadSignature);
        }
        let claims: IncomingClaims = base64url_decode(payload)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| AuthError::Malformed("Invalid payload string".into()))?;
        if check_time {
            let now = super::unix_now();
            if claims.exp <= now {
                return Err(AuthError::Expired);
            }
            if claims.nbf.is_some_and(|nbf| nbf > now) {
                return Err(AuthError::Malformed(
                    "The token is not yet valid (nbf)".into(),
                ));
            }
        }
        Ok(VerifiedClaims {
            jti: claims.jti,
            user_id: claims.sub.and_then(|sub| sub.id),
            kind: TokenKind::from_claim(&claims.kind),
            expires_at: claims.exp,
        })
    }
}

/// Decodes unpadded (or padded) base64url; `None` for any other character.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut bits: u32 = 0;
    let mut count = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    // A single leftover character cannot encode a byte.
    (count < 6).then_some(out)
}

/// A new random pair id (128 bits, hex). An access token's jti is `<pair>.a` and the refresh token
/// minted with it is `<pair>.r`, so logging out with either ends both.
pub(crate) fn new_pair_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn jti_for(pair_id: &str, kind: TokenKind) -> String {
    match kind {
        TokenKind::Access => format!("{pair_id}.a"),
        TokenKind::Refresh => format!("{pair_id}.r"),
    }
}

/// Both jtis of the pair a jti belongs to (just the jti itself if it follows no pair scheme).
pub(crate) fn pair_jtis(jti: &str) -> Vec<String> {
    match jti.rsplit_once('.') {
        Some((pair, "a" | "r")) => vec![
            jti_for(pair, TokenKind::Access),
            jti_for(pair, TokenKind::Refresh),
        ],
        _ => vec![jti.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> User {
        User {
            extra: json!({}),
            id: 7,
            image: None,
            roles: vec!["admin".into()],
            username: "ann".into(),
        }
    }

    fn now() -> i64 {
        super::super::unix_now()
    }

    #[test]
    fn round_trips_and_mirrors_swing_claims() {
        let codec = TokenCodec::new(&[1u8; 32]);
        let token = codec
            .encode(&user(), "p.a", TokenKind::Access, now(), now() + 60)
            .unwrap();
        let claims = codec.decode(&token).unwrap();
        assert_eq!(claims.jti, "p.a");
        assert_eq!(claims.kind, TokenKind::Access);

        // The payload is what flask-jwt-extended would carry: `sub` is the user object.
        let payload = token.split('.').nth(1).unwrap();
        let payload: serde_json::Value =
            serde_json::from_slice(&base64url_decode(payload).unwrap()).unwrap();
        assert_eq!(payload["sub"]["username"], "ann");
        assert_eq!(payload["sub"]["id"], 7);
        assert_eq!(payload["sub"]["roles"], json!(["admin"]));
        assert_eq!(payload["type"], "access");
        for claim in ["fresh", "iat", "nbf", "jti", "exp"] {
            assert!(payload.get(claim).is_some(), "claim {claim} is present");
        }
    }

    #[test]
    fn classifies_failures_like_swing() {
        let codec = TokenCodec::new(&[1u8; 32]);
        let other = TokenCodec::new(&[2u8; 32]);

        let expired = codec
            .encode(&user(), "p.a", TokenKind::Access, now() - 100, now() - 10)
            .unwrap();
        assert!(matches!(codec.decode(&expired), Err(AuthError::Expired)));
        assert!(codec.decode_ignoring_expiry(&expired).is_ok());

        let forged = other
            .encode(&user(), "p.a", TokenKind::Access, now(), now() + 60)
            .unwrap();
        assert!(matches!(
            codec.decode(&forged),
            Err(AuthError::BadSignature)
        ));
        let forged_expired = other
            .encode(&user(), "p.a", TokenKind::Access, now() - 100, now() - 10)
            .unwrap();
        assert!(matches!(
            codec.decode(&forged_expired),
            Err(AuthError::BadSignature)
        ));

        match codec.decode("garbage") {
            Err(AuthError::Malformed(text)) => assert_eq!(text, "Not enough segments"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            codec.decode("a.b.c"),
            Err(AuthError::Malformed(_))
        ));
        assert!(matches!(
            codec.decode(&format!("{expired}.x")),
            Err(AuthError::Malformed(_))
        ));
        // A token claiming another algorithm (here "none", unsigned) is refused outright.
        let unsigned = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            expired.split('.').nth(1).unwrap()
        );
        match codec.decode(&unsigned) {
            Err(AuthError::Malformed(text)) => {
                assert_eq!(text, "The specified alg value is not allowed")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn base64url_decoding() {
        assert_eq!(base64url_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
        assert!(base64url_decode("a+b/").is_none());
        assert!(base64url_decode("a").is_none());
    }

    #[test]
    fn pair_jtis_cover_both_tokens() {
        let pair = new_pair_id();
        assert_eq!(pair.len(), 32);
        let access = jti_for(&pair, TokenKind::Access);
        let both = pair_jtis(&access);
        assert_eq!(
            both,
            vec![access.clone(), jti_for(&pair, TokenKind::Refresh)]
        );
        assert_eq!(pair_jtis(&jti_for(&pair, TokenKind::Refresh)), both);
        assert_eq!(pair_jtis("legacy"), vec!["legacy".to_string()]);
    }
}
