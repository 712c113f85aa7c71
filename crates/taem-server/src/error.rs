//! Server errors: each maps to one HTTP status and a stable code, and says how to fix it.

use axum::http::StatusCode;
use taem_protocol::ApiError;

/// Everything a request or an admin command can fail with. A failed request changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The request is malformed or breaks a rule of the protocol.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// What was wrong.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// No valid device token.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the server's state (a sequence gap, a stale revision).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// What conflicts.
        message: String,
        /// How to resolve it.
        hint: Option<String>,
    },
    /// The client speaks a protocol version this server cannot read.
    #[error("{0}")]
    UnsupportedVersion(String),
    /// Too many wrong PINs.
    #[error("{0}")]
    Locked(String),
    /// The store failed.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A stored value that should be valid is not.
    #[error("invalid stored data: {0}")]
    Invariant(String),
}

impl ServerError {
    /// A bad request with a hint.
    pub fn bad(code: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Self {
        ServerError::BadRequest {
            code,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Conflict { .. } => StatusCode::CONFLICT,
            ServerError::UnsupportedVersion(_) => StatusCode::UPGRADE_REQUIRED,
            ServerError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Database(_) | ServerError::Invariant(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// Whether the store's disk (or quota) is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, ServerError::Database(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::DiskFull)
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code_and_hint().0
    }

    /// The wire form.
    pub fn api(&self) -> ApiError {
        let (code, hint) = self.code_and_hint();
        ApiError {
            code: code.into(),
            message: self.to_string(),
            hint,
        }
    }

    fn code_and_hint(&self) -> (&'static str, Option<String>) {
        match self {
            ServerError::BadRequest { code, hint, .. } => (*code, hint.clone()),
            ServerError::Unauthorized(_) => (
                "unauthorized",
                Some(
                    "enrol the counter again with a new enrolment code from the shop owner".into(),
                ),
            ),
            ServerError::Forbidden(_) => ("forbidden", None),
            ServerError::NotFound(_) => ("not_found", None),
            ServerError::Conflict { code, hint, .. } => (*code, hint.clone()),
            ServerError::UnsupportedVersion(_) => (
                "unsupported_version",
                Some(
                    "update the Taem counter app (or taem-server) so both speak the same protocol"
                        .into(),
                ),
            ),
            ServerError::Locked(_) => ("locked", None),
            ServerError::Database(_) if self.is_disk_full() => (
                "disk_full",
                Some("free some space on the server's disk, then do it again: nothing of this request was written".into()),
            ),
            ServerError::Database(_) => ("database", None),
            ServerError::Invariant(_) => ("invariant", None),
        }
    }
}

/// Results of server calls.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;
