//! `wxpay notify`: verify and decrypt a captured callback, print the event.

use std::io::IsTerminal;
use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use wxpay_core::notify::{Notification, Notifier};
use wxpay_core::verify::headers;

use super::{print_json, read_bounded, read_input};
use crate::args::NotifyArgs;
use crate::config::Resolved;
use crate::error::CliError;

pub async fn run(config: &Resolved, args: NotifyArgs) -> Result<(), CliError> {
    let mut headers = HeaderMap::new();
    if let Some(path) = &args.headers {
        parse_headers(&read_input(path)?, &mut headers)?;
    }
    for line in &args.header {
        if !add_header_line(line, &mut headers)? {
            return Err(CliError::Usage(format!(
                "--header {line:?}: expected `Name: Value`"
            )));
        }
    }
    let body = match &args.body {
        Some(path) => read_input(path)?,
        None => {
            if std::io::stdin().is_terminal() {
                eprintln!("reading the callback body from stdin (end with Ctrl-D)");
            }
            read_bounded(std::io::stdin().lock(), "stdin")?
        }
    };
    let key = config.apiv3_key()?;
    let mut keyring = config.keyring()?;
    if keyring.is_empty() {
        // Nothing configured to trust: fetch the platform certificates.
        keyring = config.client(true).await?.keyring().clone();
    }

    let now = unix_now();
    let signed_at: Option<i64> = headers
        .get(headers::TIMESTAMP)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    // A capture replayed later is checked at the time it was signed, by request only.
    let at = match (args.allow_stale, signed_at) {
        (true, Some(ts)) => ts,
        _ => now,
    };
    let notification: Notification<Value> = Notifier::new(keyring, key)
        .parse_at(&headers, &body, at)
        .await?;
    if let Some(ts) = signed_at {
        eprintln!(
            "verified: signed by {} {} s ago",
            headers
                .get(headers::SERIAL)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?"),
            now - ts
        );
    }
    let envelope = notification.envelope;
    print_json(&json!({
        "id": envelope.id,
        "create_time": envelope.create_time,
        "event_type": envelope.event_type,
        "resource_type": envelope.resource_type,
        "summary": envelope.summary,
        "original_type": envelope.resource.original_type,
        "resource": notification.resource,
    }))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `Name: Value` lines (other lines, such as a request line, are skipped) or
/// a JSON object of names to string values.
fn parse_headers(bytes: &[u8], headers: &mut HeaderMap) -> Result<(), CliError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| CliError::Usage("the headers file is not UTF-8".into()))?;
    if text.trim_start().starts_with('{') {
        let map: serde_json::Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| CliError::Usage(format!("the headers file is not a JSON object: {e}")))?;
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            insert(headers, &name, &value)?;
        }
        return Ok(());
    }
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            // The end of an HTTP head: a body may follow in a raw capture.
            break;
        }
        add_header_line(line, headers)?;
    }
    Ok(())
}

/// Adds `Name: Value`; false if the line is not of that form.
fn add_header_line(line: &str, headers: &mut HeaderMap) -> Result<bool, CliError> {
    match line.split_once(':') {
        Some((name, value)) if HeaderName::from_bytes(name.trim().as_bytes()).is_ok() => {
            insert(headers, name.trim(), value.trim())?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), CliError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| CliError::Usage(format!("{name:?} is not a header name")))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| CliError::Usage(format!("header {name}: value is not visible ASCII")))?;
    headers.insert(name, value);
    Ok(())
}
