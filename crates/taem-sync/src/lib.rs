//! # taem-sync — the counter's sync client
//!
//! Pushes the replica's outbox to the central server in batches and pulls the shop's changes;
//! bootstraps a new counter from a snapshot. Used by `taem-counter` (`enrol`, `sync`,
//! `sync --watch`) and the desktop app's background loop.
//!
//! Guarantees:
//! - An outbox row is dropped only after the server's answer covers it; a crash or a lost
//!   answer means the operation is sent again and the server answers "already applied".
//! - Network failures (refused, reset, timeout, 5xx, a cut-off answer) are transient:
//!   requests are retried with exponential backoff and jitter (`backon`), and `watch` keeps
//!   going. A 4xx answer is final for that cycle and reported with the server's message.
//! - The replica records every attempt, so `status` shows online/offline, waiting
//!   operations, the last successful sync and the last error.

mod convert;

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::StatusCode;
use taem_protocol::{
    ApiError, BootstrapPage, EnrolRequest, EnrolResponse, Health, OpStatus, PROTOCOL_VERSION,
    PUSH_BATCH_MAX, PullResponse, PushRequest, PushResponse, SettingsState, SettingsUpdate,
    VERSION_HEADER,
};
use taem_replica::sync::{Enrolment, PushAnswer};
use taem_replica::{Replica, ReplicaError};

/// Operations per push.
pub const PUSH_BATCH: usize = 500;
/// Changes per pull page.
pub const PULL_PAGE: u32 = 2_000;
/// Members per bootstrap page.
pub const BOOTSTRAP_PAGE: u32 = 5_000;
/// Attempts per request before a cycle gives up (the watch loop then backs off and retries).
pub const REQUEST_ATTEMPTS: usize = 4;
/// Per-request timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What can go wrong while syncing.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached or answered with a transient failure.
    #[error(
        "offline: cannot reach the server {url} ({detail}); check the network and that taem-server runs there — the counter keeps working, and waiting operations are sent at the next sync"
    )]
    Offline {
        /// The server.
        url: String,
        /// What happened.
        detail: String,
    },
    /// The server could not be reached to enrol this counter (nothing was set up).
    #[error(
        "cannot reach the server {url} to enrol this counter ({detail}): check the address, the network and that taem-server runs there, then run enrol again — nothing was set up"
    )]
    EnrolUnreachable {
        /// The server.
        url: String,
        /// What happened.
        detail: String,
    },
    /// The server refused the request.
    #[error("the server refused the request ({status}, {}): {}{}", .error.code, .error.message, .error.hint.as_ref().map(|h| format!(" — {h}")).unwrap_or_default())]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's explanation.
        error: ApiError,
    },
    /// The server's answer could not be read.
    #[error("the server's answer could not be read: {0}")]
    Protocol(String),
    /// The replica failed.
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    /// Not a server address.
    #[error("\"{0}\" is not a server address: give it as http://HOST:PORT or https://HOST")]
    BadUrl(String),
    /// The replica is not enrolled.
    #[error("this counter is not enrolled with a server: run `taem-counter enrol URL CODE` first")]
    NotEnrolled,
}

impl SyncError {
    /// Stable code.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Offline { .. } | SyncError::EnrolUnreachable { .. } => "offline",
            SyncError::Refused { error, .. } => &error.code,
            SyncError::Protocol(_) => "protocol",
            SyncError::Replica(e) => e.code(),
            SyncError::NotEnrolled => "not_enrolled",
            SyncError::BadUrl(_) => "bad_url",
        }
    }

    fn transient(&self) -> bool {
        matches!(self, SyncError::Offline { .. })
    }
}

/// Results of sync calls.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// An HTTP client for one server.
#[derive(Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl SyncClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8700`), with the device token if any.
    pub fn new(base_url: &str, token: Option<String>) -> Result<SyncClient> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SyncError::BadUrl(base_url.to_string()));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("taem-counter/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(SyncClient { http, base, token })
    }

    /// A client for an enrolled replica.
    pub fn for_replica(replica: &Replica) -> Result<SyncClient> {
        let identity = replica.sync_identity()?.ok_or(SyncError::NotEnrolled)?;
        SyncClient::new(&identity.server_url, Some(identity.token))
    }

    /// The server address.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn offline(&self, detail: impl std::fmt::Display) -> SyncError {
        SyncError::Offline {
            url: self.base.clone(),
            detail: detail.to_string(),
        }
    }

    async fn send_once<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T> {
        let mut request = request.header(VERSION_HEADER, PROTOCOL_VERSION.to_string());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.offline(describe(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.offline(format!("the answer was cut off: {}", describe(&e))))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                // A truncated body from a proxy looks like this too: treat as transient.
                self.offline(format!("unreadable answer ({e})"))
            });
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS && bytes.is_empty() {
            return Err(self.offline(format!("the server answered {status}")));
        }
        let error = serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| ApiError {
            code: format!("http_{}", status.as_u16()),
            message: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            hint: None,
        });
        Err(SyncError::Refused {
            status: status.as_u16(),
            error,
        })
    }

    /// Sends with retries on transient failures (exponential backoff with jitter).
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        make: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<T> {
        (|| async { self.send_once(make()).await })
            .retry(
                ExponentialBuilder::default()
                    .with_min_delay(Duration::from_millis(100))
                    .with_max_delay(Duration::from_secs(2))
                    .with_max_times(REQUEST_ATTEMPTS - 1)
                    .with_jitter(),
            )
            .when(SyncError::transient)
            .await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /v1/health`.
    pub async fn health(&self) -> Result<Health> {
        self.send(|| self.http.get(self.url("/v1/health"))).await
    }

    /// `POST /v1/enrol`. Not retried: a code works once, and a retry after a lost answer
    /// would be refused as used.
    pub async fn enrol(&self, code: &str, device_name: &str) -> Result<EnrolResponse> {
        let body = EnrolRequest {
            code: code.into(),
            device_name: device_name.into(),
        };
        self.send_once(self.http.post(self.url("/v1/enrol")).json(&body))
            .await
    }

    /// `POST /v1/push`.
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse> {
        self.send(|| self.http.post(self.url("/v1/push")).json(request))
            .await
    }

    /// `GET /v1/pull`.
    pub async fn pull(&self, cursor: u64, limit: u32) -> Result<PullResponse> {
        self.send(|| {
            self.http
                .get(self.url("/v1/pull"))
                .query(&[("cursor", cursor), ("limit", u64::from(limit))])
        })
        .await
    }

    /// `GET /v1/bootstrap`.
    pub async fn bootstrap(&self, after: Option<uuid::Uuid>, limit: u32) -> Result<BootstrapPage> {
        self.send(|| {
            let mut request = self
                .http
                .get(self.url("/v1/bootstrap"))
                .query(&[("limit", limit)]);
            if let Some(after) = after {
                request = request.query(&[("after", after.to_string())]);
            }
            request
        })
        .await
    }

    /// `GET /v1/settings`.
    pub async fn settings(&self) -> Result<SettingsState> {
        self.send(|| self.http.get(self.url("/v1/settings"))).await
    }

    /// `PUT /v1/settings` (owner only).
    pub async fn update_settings(&self, update: &SettingsUpdate) -> Result<SettingsState> {
        self.send(|| self.http.put(self.url("/v1/settings")).json(update))
            .await
    }
}

/// The root cause of a transport error ("Connection refused (os error 111)", "operation
/// timed out"), not reqwest's whole chain.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "no answer in time".into();
    }
    let mut root: &dyn std::error::Error = e;
    while let Some(source) = root.source() {
        root = source;
    }
    root.to_string()
}

/// Progress of long sync work, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Bootstrap: members received so far.
    Bootstrap {
        /// Members so far.
        members: u64,
    },
    /// Push: operations sent so far, and still waiting.
    Push {
        /// Sent.
        sent: u64,
        /// Waiting.
        waiting: u64,
    },
    /// Pull: changes applied so far.
    Pull {
        /// Applied.
        changes: u64,
    },
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Members received in the bootstrap (a new counter).
    pub bootstrapped_members: u64,
    /// Operations sent.
    pub pushed: u64,
    /// Applied by the server.
    pub applied: u64,
    /// Answered "already applied" (a retry).
    pub already_applied: u64,
    /// Applied and flagged for review.
    pub flagged: u64,
    /// Rejected (kept on the counter for review).
    pub rejected: u64,
    /// Changes pulled.
    pub pulled: u64,
}

/// Enrols an empty replica with a server and bootstraps it.
pub async fn enrol(
    replica: &mut Replica,
    server_url: &str,
    code: &str,
    device_name: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<SyncReport> {
    replica.check_enrollable()?;
    let client = SyncClient::new(server_url, None)?;
    let answer = client.enrol(code, device_name).await.map_err(|e| match e {
        SyncError::Offline { url, detail } => SyncError::EnrolUnreachable { url, detail },
        other => other,
    })?;
    replica.enrol(Enrolment {
        server_url: client.base_url().to_string(),
        shop_id: answer.shop_id,
        shop_name: answer.shop_name,
        branch: answer.branch,
        device_id: answer.device_id,
        token: answer.token,
    })?;
    sync_once(replica, progress).await
}

/// One full sync (needs a multi-threaded tokio runtime: the bootstrap fetches the next page
/// on another thread while this one writes the replica): finish the bootstrap if needed, push the whole outbox, pull every change.
/// Records the attempt (success or error) in the replica for the status bar.
pub async fn sync_once(
    replica: &mut Replica,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<SyncReport> {
    let client = SyncClient::for_replica(replica)?;
    let result = sync_with(replica, &client, progress).await;
    let error = result.as_ref().err().map(|e| e.to_string());
    replica.record_sync_attempt(error.as_deref())?;
    result
}

async fn sync_with(
    replica: &mut Replica,
    client: &SyncClient,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    if let Some(after) = replica.bootstrap_position()? {
        // Fetch the next page while the replica writes this one: the two take about as
        // long as each other, so the bootstrap takes the longer of the two, not their sum.
        let fetch = |after: Option<uuid::Uuid>| {
            let client = client.clone();
            tokio::spawn(async move { client.bootstrap(after, BOOTSTRAP_PAGE).await })
        };
        let mut next = fetch(after);
        loop {
            let page = (&mut next)
                .await
                .map_err(|e| SyncError::Protocol(format!("bootstrap fetch stopped: {e}")))??;
            if !page.done {
                next = fetch(page.next_after);
            }
            let converted = convert::bootstrap_page(&page)?;
            if !converted.branches.is_empty() {
                replica.set_shop_branches(&converted.branches)?;
            }
            replica.apply_bootstrap_page(
                page.cursor,
                converted.settings.as_ref(),
                &converted.staff,
                &converted.members,
                page.next_after,
                page.done,
            )?;
            report.bootstrapped_members += page.members.len() as u64;
            progress(Progress::Bootstrap {
                members: report.bootstrapped_members,
            });
            if page.done {
                break;
            }
        }
    }
    loop {
        let batch = replica.outbox_batch(PUSH_BATCH.min(PUSH_BATCH_MAX))?;
        if batch.is_empty() {
            break;
        }
        let answer = client.push(&PushRequest { ops: batch }).await?;
        let answers: Vec<PushAnswer> = answer
            .outcomes
            .iter()
            .map(|o| PushAnswer {
                op_id: o.op_id,
                rejected: match &o.status {
                    OpStatus::Rejected { code, message } => Some((code.clone(), message.clone())),
                    _ => None,
                },
            })
            .collect();
        for o in &answer.outcomes {
            match (&o.status, o.already_applied) {
                (_, true) => report.already_applied += 1,
                (OpStatus::Applied, false) => report.applied += 1,
                (OpStatus::Flagged { .. }, false) => report.flagged += 1,
                (OpStatus::Rejected { .. }, false) => report.rejected += 1,
            }
        }
        report.pushed += answer.outcomes.len() as u64;
        replica.apply_push(&answers, answer.acked_through)?;
        progress(Progress::Push {
            sent: report.pushed,
            waiting: replica.sync_status()?.waiting,
        });
        if answer.outcomes.is_empty() {
            return Err(SyncError::Protocol(
                "the server answered a push with no outcomes".into(),
            ));
        }
    }
    loop {
        let cursor = replica.pull_cursor()?;
        let page = client.pull(cursor, PULL_PAGE).await?;
        let changes = convert::changes(&page.changes)?;
        replica.apply_changes(&changes, page.cursor)?;
        report.pulled += page.changes.len() as u64;
        progress(Progress::Pull {
            changes: report.pulled,
        });
        if !page.more {
            break;
        }
    }
    Ok(report)
}

/// Syncs now and then every `interval` until `stop` resolves; failed cycles back off
/// exponentially with jitter (up to `interval × 8`). `on_cycle` sees every cycle's result.
pub async fn watch(
    replica: &mut Replica,
    interval: Duration,
    stop: impl std::future::Future<Output = ()>,
    on_cycle: &mut dyn FnMut(&Result<SyncReport>),
) -> Result<()> {
    tokio::pin!(stop);
    let mut backoff: Option<Box<dyn Iterator<Item = Duration> + Send>> = None;
    loop {
        let result = sync_once(replica, &mut |_| {}).await;
        on_cycle(&result);
        let wait = match &result {
            Ok(_) => {
                backoff = None;
                interval
            }
            Err(e) if e.transient() => backoff
                .get_or_insert_with(|| {
                    Box::new(backon::BackoffBuilder::build(
                        ExponentialBuilder::default()
                            .with_min_delay(interval)
                            .with_max_delay(interval * 8)
                            .without_max_times()
                            .with_jitter(),
                    ))
                })
                .next()
                .unwrap_or(interval * 8),
            Err(SyncError::Refused { status: 401, .. }) | Err(SyncError::NotEnrolled) => {
                return result.map(drop);
            }
            Err(_) => interval * 4,
        };
        tokio::select! {
            _ = &mut stop => return Ok(()),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
