//! Collection routes (reference §3.14): the caller's named lists of albums and artists. Errors
//! use Swing's `{error}` shape; an unknown item type is a 400 with the reason (Swing: a 500).

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use swingfly_services::collections::{self, CollectionError};
use swingfly_store::collections::CollectionItem;
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::ApiJson;
use crate::openapi::ErrorText;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/collections",
            post(create_collection).get(list_collections),
        )
        .route(
            "/collections/{id}",
            get(get_collection)
                .put(update_collection)
                .delete(delete_collection),
        )
        .route(
            "/collections/{id}/items",
            post(add_item).delete(remove_item),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create_collection,
        list_collections,
        get_collection,
        update_collection,
        delete_collection,
        add_item,
        remove_item
    ),
    components(schemas(CreateBody, ItemBody, UpdateBody, ItemEnvelope, MessageText)),
    tags((name = "collections", description = "The caller's collections of albums and artists"))
)]
struct CollectionsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    CollectionsDoc::openapi()
}

/// `{"message": text}`: the success shape of these routes.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the shape
struct MessageText {
    message: String,
}

fn message(text: &str) -> Json<Value> {
    Json(json!({ "message": text }))
}

fn collection_error(error: CollectionError) -> ApiError {
    let text = error.to_string();
    match error {
        CollectionError::NotFound => ApiError::error(StatusCode::NOT_FOUND, text),
        CollectionError::NoItems
        | CollectionError::AlreadyPresent
        | CollectionError::Invalid(_) => ApiError::error(StatusCode::BAD_REQUEST, text),
        CollectionError::Internal(inner) => ApiError::internal(inner),
    }
}

/// Swing's `<int:id>`: anything else is a 404.
fn collection_id(text: &str) -> ApiResult<i64> {
    text.parse()
        .map_err(|_| collection_error(CollectionError::NotFound))
}

/// `{type: "album"|"artist", hash}`.
#[derive(Debug, Deserialize, ToSchema)]
struct ItemBody {
    #[serde(rename = "type")]
    kind: String,
    hash: String,
}

impl From<ItemBody> for CollectionItem {
    fn from(body: ItemBody) -> Self {
        CollectionItem {
            kind: body.kind,
            hash: body.hash,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
struct CreateBody {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    items: Vec<ItemBody>,
}

const NOT_FOUND_DOC: &str = "`{error: \"Collection not found\"}` (or not the caller's)";

#[utoipa::path(post, path = "/collections", tag = "collections", request_body = CreateBody,
    responses(
        (status = 201, description = "`{message}`", body = MessageText),
        (status = 400, description = "`{error}`: no items, an unknown item type, a malformed hash or an item the library does not have", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn create_collection(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Response> {
    let items: Vec<CollectionItem> = body.items.into_iter().map(Into::into).collect();
    collections::create(&app, user.id, &body.name, &body.description, &items)
        .await
        .map_err(collection_error)?;
    Ok((StatusCode::CREATED, message("Collection created")).into_response())
}

#[utoipa::path(get, path = "/collections", tag = "collections",
    responses(
        (status = 200, description = "`[{id, name, userid, items: [{type, hash}], extra: {description}}]`", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn list_collections(State(app): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    let list = collections::list(&app, user.id)
        .await
        .map_err(collection_error)?;
    Ok(Json(list).into_response())
}

#[utoipa::path(get, path = "/collections/{id}", tag = "collections",
    params(("id" = i64, Path, description = "The collection id")),
    responses(
        (status = 200, description = "`{id, name, items: [AlbumCard | ArtistCard] (newest first), extra}`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = ErrorText),
    ))]
async fn get_collection(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Response> {
    let page = collections::page(&app, user.id, collection_id(&id)?)
        .await
        .map_err(collection_error)?;
    Ok(Json(page).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
struct UpdateBody {
    name: String,
    #[serde(default)]
    description: String,
}

#[utoipa::path(put, path = "/collections/{id}", tag = "collections", request_body = UpdateBody,
    params(("id" = i64, Path, description = "The collection id")),
    responses(
        (status = 200, description = "`{id, name, extra: {description}}`", body = Object),
        (status = 400, description = "An empty name", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = ErrorText),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn update_collection(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> ApiResult<Response> {
    let info = collections::update(
        &app,
        user.id,
        collection_id(&id)?,
        &body.name,
        &body.description,
    )
    .await
    .map_err(collection_error)?;
    Ok(Json(info).into_response())
}

#[utoipa::path(delete, path = "/collections/{id}", tag = "collections",
    params(("id" = i64, Path, description = "The collection id")),
    responses(
        (status = 200, description = "`{message}`", body = MessageText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = ErrorText),
    ))]
async fn delete_collection(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    collections::delete(&app, user.id, collection_id(&id)?)
        .await
        .map_err(collection_error)?;
    Ok(message("Collection deleted"))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ItemEnvelope {
    item: ItemBody,
}

#[utoipa::path(post, path = "/collections/{id}/items", tag = "collections", request_body = ItemEnvelope,
    params(("id" = i64, Path, description = "The collection id")),
    responses(
        (status = 200, description = "`{message}`", body = MessageText),
        (status = 400, description = "`{error}`: already in the collection, an unknown item type, a malformed hash or an item the library does not have", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = ErrorText),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn add_item(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    ApiJson(body): ApiJson<ItemEnvelope>,
) -> ApiResult<Json<Value>> {
    collections::add_item(&app, user.id, collection_id(&id)?, &body.item.into())
        .await
        .map_err(collection_error)?;
    Ok(message("Item added to collection"))
}

#[utoipa::path(delete, path = "/collections/{id}/items", tag = "collections", request_body = ItemEnvelope,
    params(("id" = i64, Path, description = "The collection id")),
    responses(
        (status = 200, description = "`{message}` (also when the item was not there)", body = MessageText),
        (status = 400, description = "An unknown item type", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = ErrorText),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn remove_item(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    ApiJson(body): ApiJson<ItemEnvelope>,
) -> ApiResult<Json<Value>> {
    collections::remove_item(&app, user.id, collection_id(&id)?, &body.item.into())
        .await
        .map_err(collection_error)?;
    Ok(message("Item removed from collection"))
}
