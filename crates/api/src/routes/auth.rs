//! `/auth/*` (reference §2.1): login, refresh, logout, the user list, profiles, the guest account
//! and phone pairing, with Swing's shapes and status codes.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use swingfly_services::auth::{AuthError, ProfileUpdate, TokenPair, User};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::{
    access_cookie, bearer_token, clear_access_cookie, presented_token, AdminUser, AuthUser, Client,
    OptionalUser,
};
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{lenient_bool, ApiJson, ApiQuery};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", get(logout))
        .route("/auth/user", get(current_user))
        .route("/auth/users", get(list_users))
        .route("/auth/profile/create", post(create_profile))
        .route("/auth/profile/update", put(update_profile))
        .route("/auth/profile/guest/create", post(create_guest))
        .route("/auth/profile/delete", delete(delete_profile))
        .route("/auth/getpaircode", get(pair_code))
        .route("/auth/pair", get(pair))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        login,
        refresh,
        logout,
        current_user,
        list_users,
        create_profile,
        update_profile,
        create_guest,
        delete_profile,
        pair_code,
        pair
    ),
    components(schemas(
        LoginBody,
        TokenResponse,
        Message,
        CreateProfileBody,
        UpdateProfileBody,
        DeleteProfileBody,
        PairCodeResponse,
        AuthUser
    )),
    tags((name = "auth", description = "Login, tokens, users and pairing"))
)]
struct AuthDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    AuthDoc::openapi()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// What login, refresh and pairing return.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    msg: String,
    accesstoken: String,
    refreshtoken: String,
    /// The access token's lifetime in seconds.
    maxage: u64,
}

impl TokenResponse {
    fn new(user: &User, tokens: TokenPair) -> Self {
        TokenResponse {
            msg: format!("Logged in as {}", user.username),
            accesstoken: tokens.access_token,
            refreshtoken: tokens.refresh_token,
            maxage: tokens.max_age,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    msg: String,
}

fn message(text: impl Into<String>) -> Json<Message> {
    Json(Message { msg: text.into() })
}

/// Adds the access cookie to a response.
fn with_cookie(token: &str, body: impl IntoResponse) -> Response {
    ([(header::SET_COOKIE, access_cookie(token))], body).into_response()
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, description = "Logged in; the access cookie is set", body = TokenResponse),
        (status = 401, description = "Wrong password", body = Message),
        (status = 404, description = "No such user", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
        (status = 429, description = "Too many attempts", body = Message),
    ))]
async fn login(
    State(app): State<AppState>,
    Client(client): Client,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let (user, tokens) = app
        .auth
        .login(&body.username, &body.password, &client)
        .await?;
    let access = tokens.access_token.clone();
    Ok(with_cookie(
        &access,
        Json(TokenResponse::new(&user, tokens)),
    ))
}

#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    security(("bearer_refresh" = [])),
    responses(
        (status = 200, description = "A new token pair (no cookie)", body = TokenResponse),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "Not a refresh token, or a bad token", body = Message),
    ))]
async fn refresh(
    State(app): State<AppState>,
    Client(client): Client,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<TokenResponse>> {
    // Only the header counts here: the cookie holds an access token, never a refresh token.
    let token = bearer_token(&headers).ok_or(AuthError::Missing)?;
    let (user, tokens) = app
        .auth
        .refresh(&token, client.user_agent.as_deref())
        .await?;
    Ok(Json(TokenResponse::new(&user, tokens)))
}

#[utoipa::path(get, path = "/auth/logout", tag = "auth",
    security((), ("bearer" = []), ("access_token_cookie" = [])),
    responses((status = 200, description = "The token's session is ended and the cookie deleted", body = Message)))]
async fn logout(
    State(app): State<AppState>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    if let Some(presented) = presented_token(&headers) {
        app.auth.logout(&presented.token).await?;
    }
    Ok((
        [(header::SET_COOKIE, clear_access_cookie())],
        message("Logged out"),
    )
        .into_response())
}

#[utoipa::path(get, path = "/auth/user", tag = "auth",
    responses(
        (status = 200, description = "The caller", body = AuthUser),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn current_user(user: AuthUser) -> Json<AuthUser> {
    Json(user)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsersQuery {
    /// Return `{id, username, firstname}` only.
    #[serde(default, deserialize_with = "lenient_bool")]
    #[param(value_type = Option<bool>)]
    simplified: bool,
}

/// The setting that lets the login screen list users (Swing's `usersOnLogin`, default true).
const USERS_ON_LOGIN_KEY: &str = "usersOnLogin";

#[utoipa::path(get, path = "/auth/users", tag = "auth", params(UsersQuery),
    security((), ("bearer" = []), ("access_token_cookie" = [])),
    responses((status = 200, description = "`{settings, users}`; what is listed depends on the caller")))]
async fn list_users(
    State(app): State<AppState>,
    OptionalUser(viewer): OptionalUser,
    ApiQuery(query): ApiQuery<UsersQuery>,
) -> ApiResult<Json<Value>> {
    let users = app.auth.list_users().await?; // newest first
    let users_on_login = app
        .store
        .setting(USERS_ON_LOGIN_KEY)
        .await?
        .and_then(|value| value.as_bool())
        .unwrap_or(true);
    let viewer_is_admin = viewer.as_ref().is_some_and(AuthUser::is_admin);
    let (settings, mut visible) = match &viewer {
        Some(_) if viewer_is_admin => {
            let enable_guest = users.iter().any(User::is_guest);
            let settings = json!({ "enableGuest": enable_guest, "usersOnLogin": users_on_login });
            (settings, users)
        }
        Some(_) => (json!({}), Vec::new()),
        None if users_on_login => (json!({}), users),
        None => (
            json!({}),
            users.into_iter().filter(User::is_guest).collect(),
        ),
    };
    // Newest first, then admins first, then the caller first (each sort is stable).
    visible.sort_by_key(|user| !user.is_admin());
    if let Some(viewer) = &viewer {
        visible.sort_by_key(|user| user.id != viewer.id);
    }
    let users: Vec<Value> = visible
        .into_iter()
        .map(|user| {
            if query.simplified {
                simplified_user(&user)
            } else {
                full_user(user, viewer_is_admin)
            }
        })
        .collect();
    Ok(Json(json!({ "settings": settings, "users": users })))
}

fn simplified_user(user: &User) -> Value {
    let firstname = user
        .extra
        .get("firstname")
        .and_then(Value::as_str)
        .unwrap_or_default();
    json!({ "firstname": firstname, "id": user.id, "username": user.username })
}

/// Swing's user object. Only admins see e-mail addresses.
fn full_user(mut user: User, viewer_is_admin: bool) -> Value {
    if !viewer_is_admin {
        if let Value::Object(extra) = &mut user.extra {
            extra.remove("email");
        }
    }
    serde_json::to_value(AuthUser::from(user)).unwrap_or(Value::Null)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateProfileBody {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    email: Option<String>,
    /// Accepted for compatibility and ignored: the ledger assigns ids.
    #[allow(dead_code)]
    id: Option<Value>,
    /// Honoured when an admin creates the user.
    roles: Option<Vec<String>>,
}

fn initial_extra(email: Option<&str>) -> Value {
    let mut extra = Map::new();
    if let Some(email) = email.map(str::trim).filter(|email| !email.is_empty()) {
        extra.insert("email".into(), Value::String(email.to_string()));
    }
    Value::Object(extra)
}

#[utoipa::path(post, path = "/auth/profile/create", tag = "auth", request_body = CreateProfileBody,
    security((), ("bearer" = []), ("access_token_cookie" = [])),
    responses(
        (status = 200, description = "On an empty server: `{user, userhome}`, the new admin logged in with the cookie. Otherwise the new user."),
        (status = 400, description = "Missing fields or a duplicate username", body = Message),
        (status = 401, description = "Sign-up is closed and no token came", body = Message),
        (status = 403, description = "Sign-up is closed and the caller is not an admin", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn create_profile(
    State(app): State<AppState>,
    OptionalUser(caller): OptionalUser,
    Client(client): Client,
    ApiJson(body): ApiJson<CreateProfileBody>,
) -> ApiResult<Response> {
    let extra = initial_extra(body.email.as_deref());
    if let Some(admin) = app
        .auth
        .create_first_user(&body.username, &body.password, extra.clone())
        .await?
    {
        let tokens = app
            .auth
            .issue_tokens(&admin, client.user_agent.as_deref())
            .await?;
        let userhome = app.config.home_dir.to_string_lossy().into_owned();
        let body = Json(json!({ "user": AuthUser::from(admin), "userhome": userhome }));
        return Ok(with_cookie(&tokens.access_token, body));
    }
    let caller_is_admin = caller.as_ref().is_some_and(AuthUser::is_admin);
    let roles = match &caller {
        Some(_) if caller_is_admin => body.roles.unwrap_or_default(),
        _ if app.config.open_signup => Vec::new(),
        Some(_) => return Err(ApiError::admins_only()),
        None => return Err(AuthError::Missing.into()),
    };
    let user = app
        .auth
        .create_user(&body.username, &body.password, roles, extra)
        .await?;
    Ok(Json(AuthUser::from(user)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateProfileBody {
    /// The user to change; 0 (the default) means the caller.
    #[serde(default)]
    id: i64,
    username: Option<String>,
    password: Option<String>,
    email: Option<String>,
    roles: Option<Vec<String>>,
}

#[utoipa::path(put, path = "/auth/profile/update", tag = "auth", request_body = UpdateProfileBody,
    responses(
        (status = 200, description = "The updated user. A password change ends the user's sessions; changing one's own password sets a new cookie.", body = AuthUser),
        (status = 400, description = "The guest, the last admin, or a duplicate username", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "A non-admin changing roles or someone else", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn update_profile(
    State(app): State<AppState>,
    caller: AuthUser,
    Client(client): Client,
    ApiJson(body): ApiJson<UpdateProfileBody>,
) -> ApiResult<Response> {
    let update = ProfileUpdate {
        id: body.id,
        username: body.username,
        password: body.password,
        email: body.email,
        roles: body.roles,
    };
    let updated = app.auth.update_user(&caller.to_user(), update).await?;
    if updated.sessions_revoked && updated.user.id == caller.id {
        // The caller's own token just ended with the others; keep the browser signed in.
        let token = app
            .auth
            .issue_tokens(&updated.user, client.user_agent.as_deref())
            .await?
            .access_token;
        return Ok(with_cookie(&token, Json(AuthUser::from(updated.user))));
    }
    Ok(Json(AuthUser::from(updated.user)).into_response())
}

#[utoipa::path(post, path = "/auth/profile/guest/create", tag = "auth",
    responses(
        (status = 200, description = "The guest account (guest/guest) exists now", body = Message),
        (status = 400, description = "It already exists", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn create_guest(State(app): State<AppState>, _admin: AdminUser) -> ApiResult<Json<Message>> {
    app.auth.create_guest().await?;
    Ok(message("Guest user created"))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteProfileBody {
    username: String,
}

#[utoipa::path(delete, path = "/auth/profile/delete", tag = "auth", request_body = DeleteProfileBody,
    responses(
        (status = 200, description = "Deleted; the user's sessions end", body = Message),
        (status = 400, description = "Oneself or the last admin", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 404, description = "No such user", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn delete_profile(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(body): ApiJson<DeleteProfileBody>,
) -> ApiResult<Json<Message>> {
    let deleted = app
        .auth
        .delete_user(&admin.to_user(), &body.username)
        .await?;
    // The ledger has dropped the user's rows (by cascade); drop their in-memory state too, here
    // and on other instances, so nothing of theirs lingers or is served again.
    app.user_data.invalidate(deleted.id).await;
    Ok(message(format!("User {} deleted", deleted.username)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairCodeResponse {
    code: String,
}

#[utoipa::path(get, path = "/auth/getpaircode", tag = "auth",
    responses(
        (status = 200, description = "A single-use code, valid for 5 minutes", body = PairCodeResponse),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn pair_code(
    State(app): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<PairCodeResponse>> {
    let code = app.auth.create_pair_code(&user.to_user()).await?;
    Ok(Json(PairCodeResponse { code }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PairQuery {
    code: Option<String>,
}

#[utoipa::path(get, path = "/auth/pair", tag = "auth", params(PairQuery),
    responses(
        (status = 200, description = "The token pair minted with the code", body = TokenResponse),
        (status = 400, description = "Unknown, used or expired code", body = Message),
        (status = 429, description = "Too many attempts", body = Message),
    ))]
async fn pair(
    State(app): State<AppState>,
    Client(client): Client,
    ApiQuery(query): ApiQuery<PairQuery>,
) -> ApiResult<Json<TokenResponse>> {
    let code = query.code.unwrap_or_default();
    if code.is_empty() {
        return Err(ApiError::msg(StatusCode::BAD_REQUEST, "Invalid code"));
    }
    let (user, tokens) = app.auth.redeem_pair_code(&code, &client).await?;
    Ok(Json(TokenResponse::new(&user, tokens)))
}
