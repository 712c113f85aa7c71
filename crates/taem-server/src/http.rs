//! The HTTP API (JSON over HTTP, device-token auth). Every answer that is not a success is
//! an [`ApiError`] with a stable code; a refused request changes nothing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use taem_protocol::{
    BODY_BYTES_MAX, EnrolRequest, Health, PROTOCOL_VERSION, PROTOCOL_VERSION_MIN, PUSH_BATCH_MAX,
    PushRequest, SettingsUpdate, VERSION_HEADER,
};
use uuid::Uuid;

use crate::error::ServerError;
use crate::store::{DeviceAuth, Store};

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        if matches!(self, ServerError::Database(_) | ServerError::Invariant(_)) {
            tracing::error!("{self}");
        }
        (self.status(), Json(self.api())).into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ServerError>;

/// The router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/enrol", post(enrol))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .route("/v1/bootstrap", get(bootstrap))
        .route("/v1/settings", get(get_settings).put(put_settings))
        .route("/v1/reviews", get(reviews))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_BYTES_MAX))
        .with_state(state)
}

async fn not_found() -> ServerError {
    ServerError::NotFound("no such endpoint: see docs/architecture.md (Sync) for the API".into())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServerError> + Send + 'static,
) -> Result<T, ServerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Invariant(format!("worker failed: {e}")))?
}

fn check_version(headers: &HeaderMap) -> Result<(), ServerError> {
    let Some(value) = headers.get(VERSION_HEADER) else {
        return Err(ServerError::bad(
            "missing_version",
            format!("the request has no {VERSION_HEADER} header"),
            format!("send `{VERSION_HEADER}: {PROTOCOL_VERSION}` with every request"),
        ));
    };
    let version = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        Some(v) if (PROTOCOL_VERSION_MIN..=PROTOCOL_VERSION).contains(&v) => Ok(()),
        _ => Err(ServerError::UnsupportedVersion(format!(
            "this server reads protocol versions {PROTOCOL_VERSION_MIN} to {PROTOCOL_VERSION}; the client sent {}",
            value.to_str().unwrap_or("an unreadable value")
        ))),
    }
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<DeviceAuth, ServerError> {
    check_version(headers)?;
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .ok_or_else(|| {
            ServerError::Unauthorized(
                "no device token: send `Authorization: Bearer <token>` (the token from enrolment)"
                    .into(),
            )
        })?;
    let store = state.store.clone();
    blocking(move || store.authenticate(&token, Utc::now())).await
}

fn body_json<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ServerError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ServerError::bad(
                "too_large",
                format!("the request body is over {BODY_BYTES_MAX} bytes"),
                format!("send at most {PUSH_BATCH_MAX} operations per push"),
            )
        } else {
            ServerError::bad("bad_body", e.body_text(), "send a JSON body")
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ServerError::bad(
            "bad_json",
            format!("the request body is not valid here: {e}"),
            "send the JSON described by taem-protocol for this endpoint",
        )
    })
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        protocol_min: PROTOCOL_VERSION_MIN,
        protocol_max: PROTOCOL_VERSION,
        now: Utc::now(),
    })
}

async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<taem_protocol::EnrolResponse> {
    check_version(&headers)?;
    let request: EnrolRequest = body_json(body)?;
    let store = state.store.clone();
    blocking(move || store.enrol(&request, Utc::now()))
        .await
        .map(Json)
}

async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<taem_protocol::PushResponse> {
    let auth = authenticate(&state, &headers).await?;
    let request: PushRequest = body_json(body)?;
    if request.ops.len() > PUSH_BATCH_MAX {
        return Err(ServerError::bad(
            "batch_too_large",
            format!(
                "{} operations in one push; the most is {PUSH_BATCH_MAX}",
                request.ops.len()
            ),
            format!("split the outbox into batches of at most {PUSH_BATCH_MAX}"),
        ));
    }
    let store = state.store.clone();
    blocking(move || store.push(&auth, &request.ops, Utc::now()))
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    cursor: u64,
    #[serde(default = "default_pull_limit")]
    limit: u32,
}

fn default_pull_limit() -> u32 {
    1_000
}

async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<taem_protocol::PullResponse> {
    let auth = authenticate(&state, &headers).await?;
    let Query(q) = query.map_err(|e| {
        ServerError::bad(
            "bad_query",
            e.body_text(),
            "use ?cursor=N&limit=M (numbers)",
        )
    })?;
    let store = state.store.clone();
    blocking(move || store.pull(&auth, q.cursor, q.limit))
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct BootstrapQuery {
    after: Option<Uuid>,
    #[serde(default = "default_bootstrap_limit")]
    limit: u32,
}

fn default_bootstrap_limit() -> u32 {
    5_000
}

async fn bootstrap(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BootstrapQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<taem_protocol::BootstrapPage> {
    let auth = authenticate(&state, &headers).await?;
    let Query(q) = query.map_err(|e| {
        ServerError::bad("bad_query", e.body_text(), "use ?after=<member id>&limit=N")
    })?;
    let store = state.store.clone();
    let today = taem_core::time::bangkok_date(Utc::now());
    blocking(move || store.bootstrap(&auth, q.after, q.limit, today))
        .await
        .map(Json)
}

async fn get_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<taem_protocol::SettingsState> {
    let auth = authenticate(&state, &headers).await?;
    let store = state.store.clone();
    blocking(move || store.settings(auth.shop_id))
        .await
        .map(Json)
}

async fn put_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<taem_protocol::SettingsState> {
    let auth = authenticate(&state, &headers).await?;
    let update: SettingsUpdate = body_json(body)?;
    let store = state.store.clone();
    blocking(move || store.update_settings(&auth, &update, Utc::now()))
        .await
        .map(Json)
}

async fn reviews(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Vec<taem_protocol::ReviewState>> {
    let auth = authenticate(&state, &headers).await?;
    let store = state.store.clone();
    blocking(move || store.reviews(auth.shop_id))
        .await
        .map(Json)
}
