//! WeChat-shaped answers: `{"code": "...", "message": "..."}` with the HTTP
//! status WeChat Pay uses for that code.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

/// An error answer, before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WxError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// WeChat's `detail` (`{"field", "value", "issue", "location"}` for a
    /// parameter error), when there is one.
    pub(crate) detail: Option<Box<Value>>,
}

impl WxError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// The same error with WeChat's `detail` object.
    pub(crate) fn with_detail(mut self, detail: Value) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    /// 400 `PARAM_ERROR`: a field is missing, of the wrong type or not allowed.
    pub(crate) fn param(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "PARAM_ERROR", message)
    }

    /// 400 `INVALID_REQUEST`: well-formed, but conflicts with existing state.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// 401 `SIGN_ERROR`: the request's `Authorization` does not verify.
    pub(crate) fn sign(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "SIGN_ERROR", message)
    }

    /// 404 `RESOURCE_NOT_EXISTS`: no such order (or no platform certificate).
    pub(crate) fn not_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", message)
    }

    /// 404 `NOT_FOUND`: no such operation.
    pub(crate) fn not_found(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("no operation {method} {path} in the wxpay sandbox"),
        )
    }

    /// 500 `SYSTEM_ERROR`, WeChat's answer when it fails internally.
    pub(crate) fn system() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SYSTEM_ERROR",
            "系统错误 (injected by the wxpay sandbox); retry with the same parameters",
        )
    }

    pub(crate) fn to_json(&self) -> Value {
        match &self.detail {
            Some(detail) => {
                json!({ "code": self.code, "message": self.message, "detail": detail })
            }
            None => json!({ "code": self.code, "message": self.message }),
        }
    }
}

impl IntoResponse for WxError {
    fn into_response(self) -> Response {
        (self.status, Json(self.to_json())).into_response()
    }
}

/// What an operation answers: a JSON object, or a WeChat error.
pub(crate) type Reply = Result<Json<Value>, WxError>;
