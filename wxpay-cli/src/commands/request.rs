//! `wxpay request`: any APIv3 call, signed, its answer verified and printed.

use std::io::Write;

use wxpay_core::{Method, RawResponse};

use super::{pair, print_json, read_input};
use crate::args::RequestArgs;
use crate::config::Resolved;
use crate::error::CliError;

pub async fn run(config: &Resolved, args: RequestArgs) -> Result<(), CliError> {
    let method = method(&args.method)?;
    let body = match &args.json {
        None => None,
        Some(text) => Some(json_argument(text)?),
    };
    let client = config.client(true).await?;
    let mut request = client.request(method, &args.template);
    for param in &args.path {
        let (name, value) = pair(param, "--path")?;
        request = request.path_param(name, value);
    }
    for param in &args.query {
        let (name, value) = pair(param, "--query")?;
        request = request.query_pair(name, value);
    }
    for header in &args.header {
        let (name, value) = pair(header, "--header")?;
        request = request.header(name, value);
    }
    if let Some(body) = &body {
        request = request.json(body);
    }
    let answer = client.execute(&request.encode()?).await?;
    print_answer(&answer, args.raw, args.include)
}

fn method(text: &str) -> Result<Method, CliError> {
    text.parse().map_err(CliError::Wxpay)
}

/// `--json TEXT` or `--json @FILE` (`@-`: stdin), checked to be JSON.
fn json_argument(text: &str) -> Result<serde_json::Value, CliError> {
    let bytes = match text.strip_prefix('@') {
        Some(path) => read_input(path.as_ref())?,
        None => text.as_bytes().to_vec(),
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| CliError::Usage(format!("--json is not valid JSON: {e}")))
}

fn print_answer(answer: &RawResponse, raw: bool, include: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if include {
        let reason = http::StatusCode::from_u16(answer.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        writeln!(out, "HTTP {} {reason}", answer.status)?;
        writeln!(out, "Request-ID: {}", answer.request_id().unwrap_or("-"))?;
        for (name, value) in &answer.headers {
            if name.as_str().eq_ignore_ascii_case("request-id") {
                continue;
            }
            writeln!(
                out,
                "{}: {}",
                name,
                String::from_utf8_lossy(value.as_bytes())
            )?;
        }
        writeln!(out)?;
    }
    if raw || answer.body.is_empty() {
        out.write_all(&answer.body)?;
        out.flush()?;
        return Ok(());
    }
    drop(out);
    match serde_json::from_slice::<serde_json::Value>(&answer.body) {
        Ok(value) => print_json(&value),
        // Verified but not JSON: show it as it came.
        Err(_) => {
            let mut out = std::io::stdout().lock();
            out.write_all(&answer.body)?;
            out.flush()?;
            Ok(())
        }
    }
}
