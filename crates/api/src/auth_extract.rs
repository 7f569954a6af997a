//! Who is calling. Tokens come from `Authorization: Bearer <jwt>` (Android, on every call) or the
//! cookie `access_token_cookie` (the web UI). A guard in front of every route demands a valid
//! access token except on Swing's public paths, and handlers name the caller with [`AuthUser`],
//! [`AdminUser`] or [`OptionalUser`].

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use swingfly_services::auth::{
    AuthError, ClientInfo, TokenKind, User, ACCESS_TOKEN_LIFETIME, SLIDING_REFRESH_WINDOW,
};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::AppState;

/// The cookie that carries the access token (flask-jwt-extended's default name, which Swing keeps).
pub const ACCESS_COOKIE: &str = "access_token_cookie";

/// Paths (and everything below them) that answer without a token, as in Swing's global guard.
const PUBLIC_PREFIXES: &[&str] = &[
    "/auth/login",
    "/auth/users",
    "/auth/pair",
    "/auth/logout",
    "/auth/refresh",
    "/auth/profile/create",
    "/events",
    "/docs",
    "/onboarding-data",
    // Artwork is public in Swing: every `/img/...` URL ends in `.webp` there.
    "/img",
];

/// Whether Swing serves `path` without a token: `/`, artwork (`.webp`, `.jpg`) and the prefixes
/// above (matched on whole path segments, unlike Swing's plain `startswith`).
pub fn is_public_path(path: &str) -> bool {
    path == "/"
        || path.ends_with(".webp")
        || path.ends_with(".jpg")
        || PUBLIC_PREFIXES.iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// The logged-in caller, as the ledger has them now. Serialises as Swing's user object.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct AuthUser {
    #[schema(value_type = Object)]
    pub extra: Value,
    pub id: i64,
    pub image: Option<String>,
    pub roles: Vec<String>,
    pub username: String,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|role| role == "admin")
    }

    pub fn is_guest(&self) -> bool {
        self.roles.iter().any(|role| role == "guest")
    }

    /// The services layer's view of this user.
    pub fn to_user(&self) -> User {
        User {
            extra: self.extra.clone(),
            id: self.id,
            image: self.image.clone(),
            roles: self.roles.clone(),
            username: self.username.clone(),
        }
    }
}

impl From<User> for AuthUser {
    fn from(user: User) -> Self {
        AuthUser {
            extra: user.extra,
            id: user.id,
            image: user.image,
            roles: user.roles,
            username: user.username,
        }
    }
}

/// Set by the guard (or the first extractor) so a request is authenticated once.
#[derive(Clone)]
struct Authenticated(AuthUser);

/// A token found on a request, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentedToken {
    pub token: String,
    pub from_cookie: bool,
}

/// The `Authorization: Bearer` token if there is one, else the access cookie.
pub fn presented_token(headers: &HeaderMap) -> Option<PresentedToken> {
    if let Some(token) = bearer_token(headers) {
        return Some(PresentedToken {
            token,
            from_cookie: false,
        });
    }
    cookie_value(headers, ACCESS_COOKIE).map(|token| PresentedToken {
        token,
        from_cookie: true,
    })
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// The value of cookie `name` from the `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_string())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for the access token: HttpOnly, whole site, 30 days (as Swing), and SameSite=Lax
/// so other sites cannot ride on it (Swing sets no SameSite and checks no CSRF token).
pub fn access_cookie(token: &str) -> HeaderValue {
    let max_age = ACCESS_TOKEN_LIFETIME.as_secs();
    HeaderValue::from_str(&format!(
        "{ACCESS_COOKIE}={token}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("access_token_cookie=; Path=/"))
}

/// `Set-Cookie` that deletes the access cookie.
pub fn clear_access_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "access_token_cookie=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax",
    )
}

async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<AuthUser, AuthError> {
    let presented = presented_token(headers).ok_or(AuthError::Missing)?;
    let authed = app
        .auth
        .authenticate(&presented.token, TokenKind::Access)
        .await?;
    Ok(AuthUser::from(authed.user))
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        if let Some(Authenticated(user)) = parts.extensions.get::<Authenticated>() {
            return Ok(user.clone());
        }
        let user = authenticate(app, &parts.headers).await?;
        parts.extensions.insert(Authenticated(user.clone()));
        Ok(user)
    }
}

/// The caller, who must be an admin: 403 `{"msg":"Only admins can do that!"}` otherwise.
#[derive(Clone, Debug)]
pub struct AdminUser(pub AuthUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let user = AuthUser::from_request_parts(parts, app).await?;
        if user.is_admin() {
            Ok(AdminUser(user))
        } else {
            Err(ApiError::admins_only())
        }
    }
}

/// The caller if a valid access token came with the request; `None` otherwise (a bad token on a
/// public route is ignored, as flask-jwt-extended's optional mode does).
#[derive(Clone, Debug)]
pub struct OptionalUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for OptionalUser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Infallible> {
        Ok(OptionalUser(
            AuthUser::from_request_parts(parts, app).await.ok(),
        ))
    }
}

/// The caller's address (from the connection; unspecified when the router runs without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(ClientIp(connection_ip(parts)))
    }
}

fn connection_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The caller's address and user agent, for rate limits and the session ledger.
#[derive(Clone, Debug)]
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(|text| text.chars().take(256).collect());
        Ok(Client(ClientInfo {
            ip: connection_ip(parts),
            user_agent,
        }))
    }
}

/// The global guard (Swing's before-request hook): every non-public path needs a valid access
/// token. It also does Swing's sliding refresh: after a cookie-authenticated request whose token
/// expires within 7 days, a fresh access cookie is set.
pub async fn auth_guard(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS || is_public_path(request.uri().path()) {
        return next.run(request).await;
    }
    let Some(presented) = presented_token(request.headers()) else {
        return ApiError::from(AuthError::Missing).into_response();
    };
    let authed = match app
        .auth
        .authenticate(&presented.token, TokenKind::Access)
        .await
    {
        Ok(authed) => authed,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let expires_soon = authed.expires_at - unix_now()
        < i64::try_from(SLIDING_REFRESH_WINDOW.as_secs()).unwrap_or(0);
    let slide = presented.from_cookie && expires_soon;
    let user = AuthUser::from(authed.user);
    request.extensions_mut().insert(Authenticated(user.clone()));
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);

    let mut response = next.run(request).await;
    if slide && !sets_access_cookie(&response) {
        match app
            .auth
            .issue_access_token(
                &user.to_user(),
                ACCESS_TOKEN_LIFETIME,
                user_agent.as_deref(),
            )
            .await
        {
            Ok(token) => {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, access_cookie(&token));
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "sliding cookie refresh failed")
            }
        }
    }
    response
}

/// Whether a handler already set (or cleared) the access cookie, e.g. logout or a password change.
fn sets_access_cookie(response: &Response) -> bool {
    let prefix = format!("{ACCESS_COOKIE}=");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.starts_with(&prefix))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_paths_follow_swing() {
        for path in [
            "/",
            "/auth/login",
            "/auth/users",
            "/auth/pair",
            "/auth/logout",
            "/auth/refresh",
            "/auth/profile/create",
            "/events/stream",
            "/docs/openapi.json",
            "/onboarding-data",
            "/img/thumbnail/medium/0123456789abcdef.webp",
            "/img/playlist/3.gif",
            "/some/file.jpg",
        ] {
            assert!(is_public_path(path), "{path} is public");
        }
        for path in [
            "/auth/user",
            "/auth/getpaircode",
            "/auth/profile/update",
            "/auth/usersx",
            "/imgx",
            "/file/0123456789abcdef/legacy",
            "/notsettings",
            "/index.html",
        ] {
            assert!(!is_public_path(path), "{path} needs a token");
        }
    }

    #[test]
    fn tokens_come_from_bearer_first_then_cookie() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_token(&headers), None);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; access_token_cookie=cookie.jwt.x; other=1"),
        );
        assert_eq!(
            presented_token(&headers),
            Some(PresentedToken {
                token: "cookie.jwt.x".into(),
                from_cookie: true
            })
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer header.jwt.y"),
        );
        assert_eq!(
            presented_token(&headers),
            Some(PresentedToken {
                token: "header.jwt.y".into(),
                from_cookie: false
            })
        );
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert!(presented_token(&headers).unwrap().from_cookie);
    }
}
