//! First-run state (`GET /onboarding-data`) and the root page (`GET /`), reference §2 and §3.17.

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use utoipa::OpenApi;

use crate::auth_extract::OptionalUser;
use crate::error::ApiResult;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/onboarding-data", get(onboarding_data))
        .route("/", get(root_page))
}

#[derive(OpenApi)]
#[openapi(
    paths(onboarding_data, root_page),
    tags((name = "onboarding", description = "First-run state"))
)]
struct OnboardingDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OnboardingDoc::openapi()
}

#[utoipa::path(get, path = "/onboarding-data", tag = "onboarding",
    security((), ("bearer" = []), ("access_token_cookie" = [])),
    responses((status = 200,
        description = "`{onboardingComplete, rootDirsSet, adminExists, scanMessage}`, plus `userHome` for a logged-in caller")))]
async fn onboarding_data(
    State(app): State<AppState>,
    OptionalUser(user): OptionalUser,
) -> ApiResult<Json<Value>> {
    let state = app.onboarding().await?;
    let mut body = serde_json::to_value(&state).map_err(anyhow::Error::from)?;
    if user.is_some() {
        if let Value::Object(fields) = &mut body {
            fields.insert(
                "userHome".into(),
                json!(app.config.home_dir.to_string_lossy()),
            );
        }
    }
    Ok(Json(body))
}

const ROOT_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Swingfly</title></head>
<body>
<h1>Swingfly</h1>
<p>This server speaks Swing Music's API. Point a Swing Music client (web or Android) at this
address to sign in and listen. The API description is at <a href="/docs/openapi.json">/docs/openapi.json</a>.</p>
</body>
</html>
"#;

#[utoipa::path(get, path = "/", tag = "onboarding",
    responses((status = 200, description = "The root page. While onboarding is incomplete it sets the cookies `x-root-dirs-set`, `x-admin-exists` and `x-onboarding-complete=false`.", content_type = "text/html")))]
async fn root_page(State(app): State<AppState>) -> ApiResult<Response> {
    let state = app.onboarding().await?;
    let mut response = Html(ROOT_PAGE).into_response();
    if !state.onboarding_complete {
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-root-dirs-set", state.root_dirs_set),
            ("x-admin-exists", state.admin_exists),
            ("x-onboarding-complete", false),
        ] {
            let cookie = format!("{name}={value}; Path=/; SameSite=Lax");
            if let Ok(value) = header::HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
    }
    Ok(response)
}
