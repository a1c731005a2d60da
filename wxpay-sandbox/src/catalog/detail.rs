//! WeChat's parameter errors: 400 `PARAM_ERROR` with a `detail` object
//! `{field, value?, issue, location}` naming what to fix.

use serde_json::{Map, Value};

use super::schema::Violation;
use crate::reply::WxError;

/// Where a parameter error was found, as WeChat's `detail.location` says it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
    Body,
}

impl Location {
    fn wire(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Body => "body",
        }
    }
}

/// 400 `PARAM_ERROR` with `detail: {field, value?, issue, location}`.
pub(crate) fn param_error(location: Location, violation: Violation) -> WxError {
    param_error_with(location, violation, "参数错误")
}

/// The same, with WeChat's message for the kind of error (`平台私钥解密失败`).
pub(crate) fn param_error_with(location: Location, violation: Violation, what: &str) -> WxError {
    let mut detail = Map::new();
    detail.insert("field".into(), Value::String(violation.field.clone()));
    if let Some(value) = &violation.value {
        detail.insert("value".into(), value.clone());
    }
    detail.insert("issue".into(), Value::String(violation.issue.clone()));
    detail.insert("location".into(), Value::String(location.wire().into()));
    let name = violation.field.trim_start_matches('/').replace('/', ".");
    WxError::param(format!(
        "{what}: {} field `{name}`: {}",
        location.wire(),
        violation.issue
    ))
    .with_detail(Value::Object(detail))
}

/// A violation of the field `name` (`value`, if it has one).
pub(crate) fn field(name: &str, value: Option<&str>, issue: impl Into<String>) -> Violation {
    Violation {
        field: name.to_owned(),
        value: value.map(|v| Value::String(v.to_owned())),
        issue: issue.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use serde_json::json;

    #[test]
    fn param_errors_carry_wechats_detail() {
        let e = param_error(
            Location::Body,
            Violation {
                field: "/amount/currency".into(),
                value: Some(json!("XYZ")),
                issue: "must be one of CNY".into(),
            },
        );
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            e.to_json()["detail"],
            json!({"field": "/amount/currency", "value": "XYZ",
                   "issue": "must be one of CNY", "location": "body"})
        );
        assert!(e
            .message
            .starts_with("参数错误: body field `amount.currency`"));
    }
}
