//! Command-line flags of `loadgen`, each bounded.

use std::path::PathBuf;

use wxpay_sandbox::KeyMode;

use crate::Op;

pub(crate) const USAGE: &str = "\
loadgen: drive a seed operation against the in-process sandbox on 127.0.0.1

USAGE:
    cargo run --release -p wxpay-bench --bin loadgen -- [OPTIONS]
    (add --features rust-crypto after -p wxpay-bench for the pure-Rust backend)

OPTIONS:
    --concurrency N      requests in flight at once [default: 8, at most 1024]
    --requests M         measured requests per run [default: 2000, at most 1000000]
    --runs R             measured runs, the summary is their median [default: 1, at most 20]
    --warmup W           unmeasured requests first (connections, caches) [default: 200]
    --max-seconds S      no request starts later than S seconds after the first
                         measured one [default: 300, at most 600]
    --op OP              query: GET  v3/ecommerce/refunds/{refund_id}/return-advance
                         create: POST the same path (idempotent after the first)
                         lifecycle: one unit = Native prepay, queries until the
                         sandbox's auto-pay paid it, full refund; two
                         notifications delivered to a local endpoint
                         [default: query]
    --client-threads C   tokio worker threads of the client [default: 1]
    --server-threads T   tokio worker threads of the sandbox [default: 1]
    --key-mode MODE      certificate | public-key [default: certificate]
    --base-url URL       drive a sandbox running in another process instead
                         (loopback only), e.g. one started with
                         `cargo run --release -p wxpay-sandbox -- --listen 127.0.0.1:8080 --out DIR`
    --credentials DIR    that sandbox's credentials folder (its --out) [needed with --base-url]
    --json               also print the summary as one JSON line
    -h, --help           print this help
";

pub(crate) const MAX_REQUESTS: usize = 1_000_000;
pub(crate) const MAX_CONCURRENCY: usize = 1024;
pub(crate) const MAX_RUNS: usize = 20;
pub(crate) const MAX_SECONDS: u64 = 600;
pub(crate) const MAX_THREADS: usize = 64;
#[derive(Debug, Clone)]
pub(crate) struct Args {
    pub(crate) concurrency: usize,
    pub(crate) requests: usize,
    pub(crate) runs: usize,
    pub(crate) warmup: usize,
    pub(crate) max_seconds: u64,
    pub(crate) op: Op,
    pub(crate) client_threads: usize,
    pub(crate) server_threads: usize,
    pub(crate) key_mode: KeyMode,
    pub(crate) json: bool,
    /// A sandbox in another process: base URL and credentials folder.
    pub(crate) external: Option<(String, PathBuf)>,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            concurrency: 8,
            requests: 2000,
            runs: 1,
            warmup: 200,
            max_seconds: 300,
            op: Op::Query,
            client_threads: 1,
            server_threads: 1,
            key_mode: KeyMode::Certificate,
            json: false,
            external: None,
        }
    }
}

pub(crate) fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args::default();
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        if flag == "--json" {
            parsed.json = true;
            continue;
        }
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| format!("{name} needs a value"))?;
        let number = |max: u64, min: u64| -> Result<u64, String> {
            let n: u64 = value
                .parse()
                .map_err(|_| format!("{name}: {value:?} is not a number"))?;
            if n < min || n > max {
                return Err(format!("{name}: {n} is outside {min}..={max}"));
            }
            Ok(n)
        };
        match name.as_str() {
            "--concurrency" => parsed.concurrency = number(MAX_CONCURRENCY as u64, 1)? as usize,
            "--requests" => parsed.requests = number(MAX_REQUESTS as u64, 1)? as usize,
            "--runs" => parsed.runs = number(MAX_RUNS as u64, 1)? as usize,
            "--warmup" => parsed.warmup = number(MAX_REQUESTS as u64, 0)? as usize,
            "--max-seconds" => parsed.max_seconds = number(MAX_SECONDS, 1)?,
            "--client-threads" => parsed.client_threads = number(MAX_THREADS as u64, 1)? as usize,
            "--server-threads" => parsed.server_threads = number(MAX_THREADS as u64, 1)? as usize,
            "--op" => {
                parsed.op = match value.as_str() {
                    "query" => Op::Query,
                    "create" => Op::Create,
                    "lifecycle" => Op::Lifecycle,
                    other => {
                        return Err(format!(
                            "--op: {other:?} is not `query`, `create` or `lifecycle`"
                        ))
                    }
                }
            }
            "--key-mode" => {
                parsed.key_mode = value
                    .parse()
                    .map_err(|e: wxpay_sandbox::SandboxError| e.to_string())?
            }
            "--base-url" => {
                let dir = parsed.external.take().map(|(_, d)| d).unwrap_or_default();
                parsed.external = Some((value, dir));
            }
            "--credentials" => {
                let url = parsed.external.take().map(|(u, _)| u).unwrap_or_default();
                parsed.external = Some((url, value.into()));
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if let Some((url, dir)) = &parsed.external {
        if url.is_empty() || dir.as_os_str().is_empty() {
            return Err("--base-url and --credentials go together".into());
        }
    }
    Ok(Some(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_parse_and_are_bounded() {
        let a = parse(&[
            "--concurrency",
            "32",
            "--requests=100",
            "--op",
            "create",
            "--json",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            (a.concurrency, a.requests, a.op, a.json),
            (32, 100, Op::Create, true)
        );
        assert!(parse(&["--requests", "1000001"]).is_err());
        assert!(parse(&["--concurrency", "0"]).is_err());
        assert!(parse(&["--max-seconds", "601"]).is_err());
        assert!(parse(&["--op", "delete"]).is_err());
        assert!(parse(&["--concurrency"]).is_err());
        assert!(parse(&["--bogus", "1"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}
