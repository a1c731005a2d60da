//! Checking a request against its operation's schema, as WeChat does before
//! anything else: path and query parameters, a JSON body (or the parts of an
//! upload). A violation answers 400 `PARAM_ERROR` with WeChat's `detail`.
//! The stateful operations check their requests here first too, then apply
//! their business rules.

use axum::body::Bytes;
use http::header::CONTENT_TYPE;
use http::HeaderMap;
use serde_json::{Map, Value};

use super::detail::{field, param_error, Location};
use super::schema::{validate, Violation};
use super::{Operation, Param};
use crate::reply::WxError;

/// Checks path parameters, query and body; returns the JSON body, if any.
pub(crate) fn check(
    op: &Operation,
    path_params: &[(&str, String)],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Option<Value>, WxError> {
    check_params(op, path_params, query)?;
    check_body(op, headers, body)
}

/// A path or query parameter's text, checked against its schema.
fn check_text(param: &Param, text: &str, location: Location) -> Result<(), WxError> {
    let value = match super::schema::type_of(&param.schema) {
        Some("integer") => match text.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                return Err(param_error(
                    location,
                    field(&param.name, Some(text), "must be an integer"),
                ))
            }
        },
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                return Err(param_error(
                    location,
                    field(&param.name, Some(text), "must be true or false"),
                ))
            }
        },
        // A list in a query: comma-separated values.
        Some("array") => Value::Array(
            text.split(',')
                .map(|item| {
                    let item_schema = param.schema.get("items").unwrap_or(&Value::Null);
                    match super::schema::type_of(item_schema) {
                        Some("integer") => item
                            .parse::<i64>()
                            .map_or_else(|_| Value::String(item.to_owned()), Value::from),
                        _ => Value::String(item.to_owned()),
                    }
                })
                .collect(),
        ),
        Some("number") => match text.parse::<f64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                return Err(param_error(
                    location,
                    field(&param.name, Some(text), "must be a number"),
                ))
            }
        },
        _ => Value::String(text.to_owned()),
    };
    validate(&param.schema, &value).map_err(|v| {
        param_error(
            location,
            Violation {
                field: param.name.clone(),
                ..v
            },
        )
    })
}

fn check_params(
    op: &Operation,
    path_params: &[(&str, String)],
    query: &[(String, String)],
) -> Result<(), WxError> {
    for (name, value) in path_params {
        if let Some(param) = op.path_params.iter().find(|p| p.name == *name) {
            check_text(param, value, Location::Path)?;
        }
    }
    for param in &op.query {
        match query.iter().find(|(n, _)| *n == param.name) {
            Some((_, value)) => check_text(param, value, Location::Query)?,
            None if param.required => {
                return Err(param_error(
                    Location::Query,
                    field(&param.name, None, "missing required field"),
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// Checks the body (JSON or multipart) against the schema (the gateway has
/// checked its encrypted fields); returns the JSON body, if any.
fn check_body(op: &Operation, headers: &HeaderMap, body: &Bytes) -> Result<Option<Value>, WxError> {
    if !op.form.is_empty() {
        check_form(op, headers, body)?;
        return Ok(None);
    }
    let Some(schema) = &op.body else {
        return Ok(None);
    };
    let value = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        if !is_json(headers) {
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            return Err(param_error(
                Location::Header,
                field(
                    "Content-Type",
                    Some(content_type),
                    "a JSON body must be sent as application/json",
                ),
            ));
        }
        serde_json::from_slice::<Value>(body).map_err(|e| {
            param_error(
                Location::Body,
                field("", None, format!("the body is not valid JSON: {e}")),
            )
        })?
    };
    validate(schema, &value).map_err(|v| param_error(Location::Body, v))?;
    Ok(Some(value))
}

/// Whether the request says its body is JSON.
fn is_json(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/json")
}

/// A multipart upload carries every required part.
fn check_form(op: &Operation, headers: &HeaderMap, body: &Bytes) -> Result<(), WxError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        return Err(param_error(
            Location::Header,
            field(
                "Content-Type",
                Some(content_type),
                "an upload must be multipart/form-data",
            ),
        ));
    }
    for part in &op.form {
        match super::multipart::part(content_type, body, &part.name) {
            None if part.required => {
                return Err(param_error(
                    Location::Body,
                    field(
                        &part.name,
                        None,
                        "the multipart part is required but missing",
                    ),
                ))
            }
            Some(content)
                if part.name == "meta"
                    && serde_json::from_slice::<Map<String, Value>>(content).is_err() =>
            {
                return Err(param_error(
                    Location::Body,
                    field("meta", None, "the meta part must be a JSON object"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}
