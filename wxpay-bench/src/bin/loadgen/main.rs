//! `loadgen`: drives a seed operation through `wxpay_core::Client` against the
//! sandbox on 127.0.0.1 and reports req/s, latency percentiles and CPU time
//! per request for the client and the server separately.
//!
//! Both run in this process, each in its own tokio runtime with its own named
//! threads (`wxpay-client`, `wxpay-server`), so the CPU time each side spends
//! is read per thread from `/proc` (see `wxpay_bench::cpu`). Every request is
//! the real thing on both sides: the client signs, the sandbox parses the
//! `Authorization` header, checks the nonce and the signature, answers and
//! signs its answer, and the client verifies that before decoding it.
//!
//! Bounded: at most `--requests` per run (capped at 1,000,000), and no new
//! request starts after `--max-seconds` (capped at 600) from the first
//! measured one; requests time out after 10 s.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wxpay_apis::ecommerce::refunds::return_advance::{
    QueryReturnAdvanceRequest, QueryReturnAdvanceRequired, ReturnAdvanceRequest,
    ReturnAdvanceRequired,
};
use wxpay_bench::cpu::Snapshot;
use wxpay_bench::lifecycle::Mix;
use wxpay_bench::stats::{median, Latencies};
use wxpay_core::Client;
use wxpay_sandbox::Sandbox;

mod args;

use args::{parse_args, Args, USAGE};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const CLIENT_THREADS: &str = "wxpay-client";
const SERVER_THREADS: &str = "wxpay-server";

const REFUND_ID: &str = "50000000382019052709732678859";
const SUB_MCHID: &str = "1900000109";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Query,
    Create,
    Lifecycle,
}

impl Op {
    fn describe(self) -> &'static str {
        match self {
            Op::Query => "GET /v3/ecommerce/refunds/{refund_id}/return-advance",
            Op::Create => "POST /v3/ecommerce/refunds/{refund_id}/return-advance",
            Op::Lifecycle => "the payment lifecycle (prepay, query, pay, refund, notifications)",
        }
    }

    async fn call(self, client: &Client, mix: Option<&Mix>) -> Result<(), wxpay_core::Error> {
        match self {
            Op::Lifecycle => match mix {
                Some(mix) => mix.one(client).await,
                None => Err(wxpay_core::Error::InvalidRequest(
                    "the lifecycle mix was not started".into(),
                )),
            },
            Op::Query => QueryReturnAdvanceRequest::new(QueryReturnAdvanceRequired {
                refund_id: REFUND_ID,
                sub_mchid: SUB_MCHID,
            })
            .send(client)
            .await
            .map(drop),
            Op::Create => create(client).await,
        }
    }
}

/// Creates the advance return the queries read (and that repeated creations return).
async fn create(client: &Client) -> Result<(), wxpay_core::Error> {
    ReturnAdvanceRequest::new(ReturnAdvanceRequired {
        refund_id: REFUND_ID,
        sub_mchid: SUB_MCHID,
    })
    .send(client)
    .await
    .map(drop)
}

/// One measured run.
struct Run {
    ok: usize,
    errors: usize,
    first_error: Option<String>,
    wall: Duration,
    latencies: Latencies,
    cpu: Option<Cpu>,
}

#[derive(Clone, Copy)]
struct Cpu {
    client: Duration,
    server: Duration,
    other: Duration,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }

    /// CPU milliseconds per successful request: client, server, other.
    fn cpu_ms_per_request(&self) -> Option<(f64, f64, f64)> {
        let cpu = self.cpu?;
        let n = self.ok.max(1) as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1e3 / n;
        Some((ms(cpu.client), ms(cpu.server), ms(cpu.other)))
    }
}

/// Sends `requests` requests, `concurrency` at a time, none starting after `deadline`.
async fn drive(
    client: &Client,
    mix: Option<Arc<Mix>>,
    op: Op,
    concurrency: usize,
    requests: usize,
    deadline: Instant,
) -> (Vec<Duration>, usize, Option<String>) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(requests) {
        let client = client.clone();
        let next = next.clone();
        let mix = mix.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(requests / concurrency + 1);
            let mut errors = 0;
            let mut first_error = None;
            while next.fetch_add(1, Ordering::Relaxed) < requests && Instant::now() < deadline {
                let start = Instant::now();
                match op.call(&client, mix.as_deref()).await {
                    Ok(()) => latencies.push(start.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            (latencies, errors, first_error)
        });
    }
    let mut all = Vec::with_capacity(requests);
    let mut errors = 0;
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((latencies, e, first)) => {
                all.extend(latencies);
                errors += e;
                if first_error.is_none() {
                    first_error = first;
                }
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("load task failed: {e}"));
            }
        }
    }
    (all, errors, first_error)
}

fn runtime(name: &'static str, threads: usize) -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the {name} runtime: {e}"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("loadgen: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the whole measurement; `Ok(false)` when some request failed.
fn run(args: &Args) -> Result<bool, String> {
    let client_rt = runtime(CLIENT_THREADS, args.client_threads)?;
    if let Some((url, dir)) = &args.external {
        let client = client_rt
            .block_on(async {
                wxpay_bench::external::client_builder(url, dir).and_then(|b| {
                    b.timeout(REQUEST_TIMEOUT)
                        .build()
                        .map_err(|e| e.to_string())
                })
            })
            .map_err(|e| format!("client: {e}"))?;
        println!(
            "loadgen: {} against the sandbox at {url} (another process: its CPU is not counted here)",
            args.op.describe()
        );
        return measure(args, &client_rt, &client);
    }
    let server_rt = runtime(SERVER_THREADS, args.server_threads)?;

    // Started from inside the server runtime, so its accept loop and every
    // connection task run on the server's threads.
    let mut builder = Sandbox::builder()
        .listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .key_mode(args.key_mode);
    if args.op == Op::Lifecycle {
        // Orders are paid by the sandbox itself, on its own threads.
        builder = builder.auto_pay(Duration::ZERO);
    }
    let sandbox = server_rt
        .block_on(builder.start())
        .map_err(|e| format!("sandbox: {e}"))?;
    if !sandbox.local_addr().ip().is_loopback() {
        return Err(format!(
            "refusing to load {}: not loopback",
            sandbox.local_addr()
        ));
    }
    let client = client_rt
        .block_on(async { sandbox.client_builder().timeout(REQUEST_TIMEOUT).build() })
        .map_err(|e| format!("client: {e}"))?;

    println!(
        "loadgen: {} against the sandbox at {} ({} key mode)",
        args.op.describe(),
        sandbox.base_url(),
        args.key_mode
    );
    let result = measure(args, &client_rt, &client);
    drop(client);
    drop(client_rt);
    server_rt.block_on(sandbox.shutdown());
    result
}

/// The CPU time one RSA-2048 signature costs a client thread, in ms: the
/// floor of a request's client CPU.
fn signature_cost_ms(client_rt: &tokio::runtime::Runtime, client: &Client) -> Option<f64> {
    const SIGNATURES: u32 = 200;
    let signer = client.signer();
    let before = Snapshot::take()?;
    client_rt
        .block_on(client_rt.spawn(async move {
            for i in 0..SIGNATURES {
                let _ = signer
                    .sign(format!("GET\n/v3/x\n{i}\nnonce\n\n").as_bytes())
                    .await;
            }
        }))
        .ok()?;
    let after = Snapshot::take()?;
    Some(after.since(&before, CLIENT_THREADS).as_secs_f64() * 1e3 / f64::from(SIGNATURES))
}

/// Warm-up and measured runs against a client's sandbox; `Ok(false)` when
/// some request failed.
fn measure(
    args: &Args,
    client_rt: &tokio::runtime::Runtime,
    client: &Client,
) -> Result<bool, String> {
    let client = client.clone();
    println!(
        "backend {}, concurrency {}, {} requests x {} run(s) after {} warm-up, client threads {}, server threads {}, {} CPUs",
        wxpay_core::crypto::BACKEND,
        args.concurrency,
        args.requests,
        args.runs,
        args.warmup,
        args.client_threads,
        args.server_threads,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );

    // The advance return every query reads.
    client_rt
        .block_on(create(&client))
        .map_err(|e| format!("creating the advance return to query: {e}"))?;
    // The merchant's notification endpoint runs on the client's threads.
    let mix = match args.op {
        Op::Lifecycle => Some(Arc::new(
            client_rt
                .block_on(Mix::start())
                .map_err(|e| format!("notification endpoint: {e}"))?,
        )),
        _ => None,
    };
    let limit = Duration::from_secs(args.max_seconds);
    if args.warmup > 0 {
        let deadline = Instant::now() + limit;
        let (_, errors, first) = client_rt.block_on(drive(
            &client,
            mix.clone(),
            args.op,
            args.concurrency,
            args.warmup,
            deadline,
        ));
        if errors > 0 {
            return Err(format!(
                "{errors} warm-up request(s) failed, first: {}",
                first.unwrap_or_default()
            ));
        }
    }

    let deadline = Instant::now() + limit;
    let mut runs = Vec::new();
    for number in 1..=args.runs {
        if Instant::now() >= deadline {
            println!("run {number}: skipped, --max-seconds reached");
            break;
        }
        let counts_before = mix.as_ref().map(|m| m.counts());
        let before = Snapshot::take();
        let start = Instant::now();
        let (latencies, errors, first_error) = client_rt.block_on(drive(
            &client,
            mix.clone(),
            args.op,
            args.concurrency,
            args.requests,
            deadline,
        ));
        let wall = start.elapsed();
        let after = Snapshot::take();
        let cpu = before.zip(after).map(|(before, after)| {
            let client = after.since(&before, CLIENT_THREADS);
            let server = after.since(&before, SERVER_THREADS);
            Cpu {
                client,
                server,
                other: after.total_since(&before).saturating_sub(client + server),
            }
        });
        let run = Run {
            ok: latencies.len(),
            errors,
            first_error,
            wall,
            latencies: Latencies::new(latencies),
            cpu,
        };
        print_run(number, &run);
        if let (Some(mix), Some(before)) = (&mix, counts_before) {
            // Notifications of the run's last units may still be on their way.
            std::thread::sleep(Duration::from_millis(200));
            let after = mix.counts();
            let units = run.ok.max(1) as f64;
            let server_ms = run.cpu.map(|c| c.server.as_secs_f64() * 1e3);
            println!(
                "  per lifecycle: {:.2} signed API calls, {:.2} notifications delivered{}",
                (after.api_calls - before.api_calls) as f64 / units,
                (after.notified - before.notified) as f64 / units,
                server_ms.map_or(String::new(), |ms| format!(
                    "; sandbox CPU {:.3} ms per API call or notification",
                    ms / ((after.api_calls - before.api_calls + after.notified - before.notified)
                        .max(1) as f64)
                )),
            );
        }
        runs.push(run);
    }

    drop(mix);
    let signature = signature_cost_ms(client_rt, &client);
    let failed = runs.iter().any(|r| r.errors > 0);
    if !runs.is_empty() {
        summarize(args, &runs, signature);
    }
    Ok(!failed)
}

fn print_run(number: usize, run: &Run) {
    let cpu = match run.cpu_ms_per_request() {
        Some((client, server, other)) => {
            format!("CPU/request client {client:.3} ms, server {server:.3} ms, other {other:.3} ms")
        }
        None => "CPU time unavailable (no /proc)".into(),
    };
    println!(
        "run {number}: {} ok, {} failed in {:.2} s: {:.0} req/s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {cpu}",
        run.ok,
        run.errors,
        run.wall.as_secs_f64(),
        run.per_second(),
        ms(run.latencies.percentile(50.0)),
        ms(run.latencies.percentile(99.0)),
        ms(run.latencies.max()),
    );
    if let Some(e) = &run.first_error {
        println!("  first failure: {e}");
    }
}

fn summarize(args: &Args, runs: &[Run], signature_ms: Option<f64>) {
    let rps = median(runs.iter().map(Run::per_second));
    let p50 = median(runs.iter().map(|r| ms(r.latencies.percentile(50.0))));
    let p99 = median(runs.iter().map(|r| ms(r.latencies.percentile(99.0))));
    let cpu: Vec<(f64, f64, f64)> = runs.iter().filter_map(Run::cpu_ms_per_request).collect();
    let client = median(cpu.iter().map(|c| c.0));
    let server = median(cpu.iter().map(|c| c.1));
    println!();
    println!(
        "median of {} run(s): {rps:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms",
        runs.len()
    );
    if !cpu.is_empty() {
        if args.external.is_some() {
            println!(
                "CPU per request: client {client:.3} ms ({:.0} requests per core-second); the sandbox is another process",
                1e3 / client
            );
        } else {
            println!(
                "CPU per request: client {client:.3} ms ({:.0} requests per core-second), server {server:.3} ms ({:.0} per core-second)",
                1e3 / client,
                1e3 / server
            );
        }
        if let Some(signature) = signature_ms {
            println!(
                "one RSA signature: {signature:.3} ms of CPU; client CPU per request / signature = {:.2}",
                client / signature
            );
        }
    }
    if args.json {
        let nullable = |v: f64| {
            if v.is_finite() {
                format!("{v:.4}")
            } else {
                "null".into()
            }
        };
        println!(
            "{{\"backend\":\"{}\",\"op\":\"{}\",\"concurrency\":{},\"requests\":{},\"runs\":{},\"client_threads\":{},\"server_threads\":{},\"req_per_s\":{},\"p50_ms\":{},\"p99_ms\":{},\"client_cpu_ms_per_req\":{},\"server_cpu_ms_per_req\":{}}}",
            wxpay_core::crypto::BACKEND,
            args.op.describe(),
            args.concurrency,
            args.requests,
            runs.len(),
            args.client_threads,
            args.server_threads,
            nullable(rps),
            nullable(p50),
            nullable(p99),
            nullable(client),
            nullable(server),
        );
    }
}
