//! The `wxpay-sandbox` command line (serve the sandbox, or steer a running
//! one), as a library function so that other binaries (`wxpay sandbox`)
//! offer the same flags without a second copy of the parser.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::commands;
use crate::{Fault, KeyMode, Merchant, Sandbox, SandboxError};
use wxpay_core::{Certificate, PublicKey};

const USAGE: &str = "\
wxpay-sandbox: a local WeChat Pay APIv3 server for offline integration tests

USAGE:
    wxpay-sandbox [OPTIONS]           serve
    wxpay-sandbox COMMAND [OPTIONS]   steer a running sandbox (see COMMANDS)

OPTIONS:
    --listen ADDR              address to listen on [default: 127.0.0.1:0, an ephemeral port]
    --console ADDR             also serve the console (/sandbox/) on this address, nothing else there
    --out DIR                  credentials directory: loaded if present, then written
                               [default: ./wxpay-sandbox]
    --key-mode MODE            certificate | public-key [default: certificate]
    --mchid ID                 the demo merchant's id [default: 1900009191]
    --settle-after-ms N        how long created orders stay PROCESSING [default: 0]
    --max-body-bytes N         request body cap [default: 1048576]
    --max-connections N        connections served at once; others wait [default: 256]
    --idle-timeout-ms N        close a connection that sends no request this long [default: 5000]
    --max-orders N             orders remembered; the oldest are forgotten [default: 100000]
    --fault NAME               a fault for every request: delay[=MILLIS], server-error,
                               connection-reset, truncated-body, tampered-body,
                               wrong-signature, unknown-serial, stale-timestamp,
                               missing-headers, redirect
    --run-for SECS             stop after this many seconds [default: until Ctrl-C]
    --db PATH                  SQLite file keeping orders, refunds, profit sharing and
                               transfers across restarts
                               [default: OUT/sandbox.db]
    --no-db                    keep orders in memory only

  Payment lifecycle:
    --auto-pay SECS            pay every order this long after its prepay [default: never]
    --time-scale F             multiply WeChat's waits (notification retries 15s..6h,
                               answer timeout 5s) by F, e.g. 0.001 [default: 1]
    --refund-after-ms N|manual how long refunds stay PROCESSING before SUCCESS;
                               `manual`: until `refund-outcome` [default: 0]
    --notify-allow HOST        also send notifications to HOST (`*`: any); loopback
                               is always allowed (repeatable)
    --sub-mchid ID             a sub-merchant of the demo merchant as service provider
                               (repeatable) [default: 1900000109]
    --clock-start TIME         start the business clock at TIME (RFC 3339, e.g.
                               2024-03-01T12:00:00+08:00) [default: now]; signatures
                               keep the wall clock
    --bills-same-day           serve a day's bills at once, today's included, instead of
                               as WeChat Pay does (from 10:00 China time the next day)
    --appid APPID              an appid bound to the demo merchant (repeatable); once one is,
                               others answer APPID_MCHID_NOT_MATCH [default: any]
    --sub-appid SUB=APPID      a sub_appid bound to a sub-merchant (repeatable) [default: any]

  Profit sharing and merchant transfers:
    --profit-sharing-after-ms N|manual
                               how long profit-sharing orders stay PROCESSING; `manual`: until
                               `profitsharing-settle` [default: 0]
    --profit-sharing-notify-url URL
                               where profit sharing to the demo merchant is notified
                               (PROFITSHARING.SUCCESS / .RETURN) [default: nowhere]
    --transfer-after-ms N|manual
                               how long confirmed transfers stay TRANSFERING (cancelled ones
                               CANCELING); `manual`: until `transfer-finish` [default: 0]

  Register your own merchant as well (all of --merchant-mchid and --merchant-apiv3-key,
  and either a certificate or a public key with its serial):
    --merchant-mchid ID
    --merchant-apiv3-key KEY   32 ASCII characters
    --merchant-cert FILE       merchant API certificate (apiclient_cert.pem)
    --merchant-public-key FILE merchant public key (PEM), with --merchant-serial
    --merchant-serial SERIAL   the serial_no your requests carry
    --merchant-sub-mchid ID    a sub-merchant it acts for as service provider (repeatable)
    --merchants FILE           more merchants from a JSON file (see the crate's `config` docs)
    --make-merchants N         make N merchants (1900200001, 1900200002, ...), each with keys
                               and a WeChat Pay platform key of its own (in --key-mode), written
                               to OUT/merchants/{mchid}/ (fresh on every start; at most 1000)

  APIv2 (XML; micropay, order query, reverse, refund, refund query):
    --v2 ADDR                  also serve APIv2 over TLS on ADDR (e.g. 127.0.0.1:0); certificate
                               operations need the demo merchant's apiclient_cert.pem (mutual TLS)
    --v2-key KEY               the demo merchant's APIv2 key
                               [default: OUT/apiv2_key.txt if present, else a fixed demo key]

    -h, --help                 print this help

Per request, the header `Wxpay-Sandbox-Fault: NAME` selects a fault.

The control API (unsigned, under /sandbox/) pays, fails and closes orders, settles
refunds and profit sharing, confirms transfers and re-sends notifications; a person
pays at /sandbox/pay/PREPAY_ID and confirms a transfer at /sandbox/transfer/PACKAGE_INFO.
";

#[derive(Default)]
struct Args {
    listen: Option<SocketAddr>,
    console: Option<SocketAddr>,
    out: Option<PathBuf>,
    key_mode: KeyMode,
    mchid: Option<String>,
    settle_after: Option<Duration>,
    max_body_bytes: Option<usize>,
    max_connections: Option<usize>,
    idle_timeout: Option<Duration>,
    max_orders: Option<usize>,
    fault: Option<Fault>,
    run_for: Option<Duration>,
    merchant_mchid: Option<String>,
    merchant_apiv3_key: Option<String>,
    merchant_cert: Option<PathBuf>,
    merchant_public_key: Option<PathBuf>,
    merchant_serial: Option<String>,
    merchant_sub_mchids: Vec<String>,
    auto_pay: Option<Duration>,
    time_scale: Option<f64>,
    refund_after: Option<Option<Duration>>,
    profit_sharing_after: Option<Option<Duration>>,
    transfer_after: Option<Option<Duration>>,
    profit_sharing_notify_url: Option<String>,
    appids: Vec<String>,
    sub_appids: Vec<(String, String)>,
    notify_allow: Vec<String>,
    sub_mchids: Vec<String>,
    db: Option<PathBuf>,
    no_db: bool,
    bills_same_day: bool,
    clock_start: Option<std::time::SystemTime>,
    merchants_file: Option<PathBuf>,
    make_merchants: usize,
    v2: Option<SocketAddr>,
    v2_key: Option<String>,
}

/// `--make-merchants N` makes merchants from this id on (+1, +2, ...).
const FIRST_MADE_MCHID: u64 = 1_900_200_000;
/// Each made merchant generates two RSA keys at start.
const MAX_MADE_MERCHANTS: usize = 1000;

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args::default();
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        if flag == "--no-db" {
            parsed.no_db = true;
            continue;
        }
        if flag == "--bills-same-day" {
            parsed.bills_same_day = true;
            continue;
        }
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: {v:?} is not a number"))
        };
        match name.as_str() {
            "--listen" => {
                let v = value()?;
                parsed.listen = Some(
                    v.parse()
                        .map_err(|_| format!("--listen: {v:?} is not HOST:PORT"))?,
                );
            }
            "--console" => {
                let v = value()?;
                parsed.console = Some(
                    v.parse()
                        .map_err(|_| format!("--console: {v:?} is not HOST:PORT"))?,
                );
            }
            "--out" => parsed.out = Some(value()?.into()),
            "--key-mode" => {
                parsed.key_mode = value()?.parse().map_err(|e: SandboxError| e.to_string())?
            }
            "--mchid" => parsed.mchid = Some(value()?),
            "--settle-after-ms" => {
                parsed.settle_after = Some(Duration::from_millis(number(value()?)?))
            }
            "--max-body-bytes" => {
                parsed.max_body_bytes =
                    Some(usize::try_from(number(value()?)?).map_err(|e| e.to_string())?)
            }
            "--max-connections" => {
                parsed.max_connections =
                    Some(usize::try_from(number(value()?)?).map_err(|e| e.to_string())?)
            }
            "--idle-timeout-ms" => {
                parsed.idle_timeout = Some(Duration::from_millis(number(value()?)?))
            }
            "--max-orders" => {
                parsed.max_orders =
                    Some(usize::try_from(number(value()?)?).map_err(|e| e.to_string())?)
            }
            "--fault" => {
                parsed.fault = Some(
                    value()?
                        .parse()
                        .map_err(|e: crate::UnknownFault| e.to_string())?,
                )
            }
            "--run-for" => parsed.run_for = Some(Duration::from_secs(number(value()?)?)),
            "--merchant-mchid" => parsed.merchant_mchid = Some(value()?),
            "--merchant-apiv3-key" => parsed.merchant_apiv3_key = Some(value()?),
            "--merchant-cert" => parsed.merchant_cert = Some(value()?.into()),
            "--merchant-public-key" => parsed.merchant_public_key = Some(value()?.into()),
            "--merchant-serial" => parsed.merchant_serial = Some(value()?),
            "--merchant-sub-mchid" => parsed.merchant_sub_mchids.push(value()?),
            "--auto-pay" => {
                let v = value()?;
                let secs: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
                    .ok_or_else(|| format!("--auto-pay: {v:?} is not 0 to 86400 seconds"))?;
                parsed.auto_pay = Some(Duration::from_secs_f64(secs));
            }
            "--time-scale" => {
                let v = value()?;
                parsed.time_scale = Some(
                    v.parse()
                        .ok()
                        .filter(|f: &f64| f.is_finite() && *f > 0.0 && *f <= 1000.0)
                        .ok_or_else(|| {
                            format!("--time-scale: {v:?} is not a number in (0, 1000]")
                        })?,
                );
            }
            "--refund-after-ms" | "--profit-sharing-after-ms" | "--transfer-after-ms" => {
                let v = value()?;
                let delay = Some(if v == "manual" {
                    None
                } else {
                    Some(Duration::from_millis(number(v)?))
                });
                match name.as_str() {
                    "--refund-after-ms" => parsed.refund_after = delay,
                    "--profit-sharing-after-ms" => parsed.profit_sharing_after = delay,
                    _ => parsed.transfer_after = delay,
                }
            }
            "--profit-sharing-notify-url" => parsed.profit_sharing_notify_url = Some(value()?),
            "--appid" => parsed.appids.push(value()?),
            "--sub-appid" => {
                let v = value()?;
                let (sub, appid) = v
                    .split_once('=')
                    .filter(|(s, a)| !s.is_empty() && !a.is_empty())
                    .ok_or_else(|| format!("--sub-appid: {v:?} is not SUB_MCHID=APPID"))?;
                parsed.sub_appids.push((sub.to_owned(), appid.to_owned()));
            }
            "--notify-allow" => parsed.notify_allow.push(value()?),
            "--sub-mchid" => parsed.sub_mchids.push(value()?),
            "--db" => parsed.db = Some(value()?.into()),
            "--merchants" => parsed.merchants_file = Some(value()?.into()),
            "--make-merchants" => {
                let v = value()?;
                parsed.make_merchants = v
                    .parse()
                    .ok()
                    .filter(|n| *n <= MAX_MADE_MERCHANTS)
                    .ok_or_else(|| {
                        format!("--make-merchants: {v:?} is not 0 to {MAX_MADE_MERCHANTS}")
                    })?;
            }
            "--v2" => {
                let v = value()?;
                parsed.v2 = Some(
                    v.parse()
                        .map_err(|_| format!("--v2: {v:?} is not HOST:PORT"))?,
                );
            }
            "--v2-key" => parsed.v2_key = Some(value()?),
            "--clock-start" => {
                let v = value()?;
                let unix = crate::clock::parse_rfc3339(&v)
                    .and_then(|t| u64::try_from(t).ok())
                    .ok_or_else(|| {
                        format!("--clock-start: {v:?} is not RFC 3339 with an offset after 1970")
                    })?;
                parsed.clock_start = Some(std::time::UNIX_EPOCH + Duration::from_secs(unix));
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Some(parsed))
}

/// The user's own merchant, if the `--merchant-*` flags name one.
fn user_merchant(args: &Args) -> Result<Option<Merchant>, String> {
    let any = args.merchant_mchid.is_some()
        || !args.merchant_sub_mchids.is_empty()
        || args.merchant_apiv3_key.is_some()
        || args.merchant_cert.is_some()
        || args.merchant_public_key.is_some()
        || args.merchant_serial.is_some();
    if !any {
        return Ok(None);
    }
    let mchid = args
        .merchant_mchid
        .clone()
        .ok_or("--merchant-mchid is required to register a merchant")?;
    let apiv3_key = args
        .merchant_apiv3_key
        .as_deref()
        .ok_or("--merchant-apiv3-key is required to register a merchant")?;
    let merchant = match (
        &args.merchant_cert,
        &args.merchant_public_key,
        &args.merchant_serial,
    ) {
        (Some(cert), None, _) => {
            let cert = Certificate::from_pem_file(cert).map_err(|e| e.to_string())?;
            Merchant::with_certificate(mchid, &cert, apiv3_key)
        }
        (None, Some(key), Some(serial)) => {
            let key = PublicKey::from_pem_file(key).map_err(|e| e.to_string())?;
            Merchant::with_public_key(mchid, serial.clone(), key, apiv3_key)
        }
        (None, Some(_), None) => return Err("--merchant-public-key needs --merchant-serial".into()),
        (Some(_), Some(_), _) => {
            return Err("give --merchant-cert or --merchant-public-key, not both".into())
        }
        (None, None, _) => {
            return Err("give --merchant-cert FILE or --merchant-public-key FILE".into())
        }
    };
    let merchant = merchant.map_err(|e| e.to_string())?;
    Ok(Some(
        args.merchant_sub_mchids
            .iter()
            .fold(merchant, |m, sub| m.with_sub_merchant(sub.clone())),
    ))
}

async fn run(args: Args) -> Result<(), String> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("wxpay-sandbox"));
    let mut builder = Sandbox::builder()
        .key_mode(args.key_mode)
        .load_dir(&out)
        .map_err(|e| format!("cannot load {}: {e}", out.display()))?;
    if let Some(addr) = args.console {
        builder = builder.console(addr);
    }
    if let Some(addr) = args.listen {
        builder = builder.listen(addr);
    }
    if let Some(mchid) = &args.mchid {
        builder = builder.mchid(mchid.clone());
    }
    if let Some(delay) = args.settle_after {
        builder = builder.settle_after(delay);
    }
    if let Some(limit) = args.max_body_bytes {
        builder = builder.max_body_bytes(limit);
    }
    if let Some(limit) = args.max_connections {
        builder = builder.max_connections(limit);
    }
    if let Some(timeout) = args.idle_timeout {
        builder = builder.idle_timeout(timeout);
    }
    if let Some(limit) = args.max_orders {
        builder = builder.max_orders(limit);
    }
    if let Some(fault) = args.fault {
        builder = builder.fault(fault);
    }
    if let Some(delay) = args.auto_pay {
        builder = builder.auto_pay(delay);
    }
    if let Some(scale) = args.time_scale {
        builder = builder.time_scale(scale);
    }
    if let Some(delay) = args.refund_after {
        builder = builder.refund_settle_after(delay);
    }
    if let Some(delay) = args.profit_sharing_after {
        builder = builder.profit_sharing_settle_after(delay);
    }
    if let Some(delay) = args.transfer_after {
        builder = builder.transfer_settle_after(delay);
    }
    if let Some(url) = &args.profit_sharing_notify_url {
        builder = builder.profit_sharing_notify_url(url.clone());
    }
    for appid in &args.appids {
        builder = builder.appid(appid.clone());
    }
    for (sub, appid) in &args.sub_appids {
        builder = builder.sub_appid(sub.clone(), appid.clone());
    }
    for host in &args.notify_allow {
        builder = builder.allow_notify_host(host.clone());
    }
    for sub in &args.sub_mchids {
        builder = builder.sub_merchant(sub.clone());
    }
    if let Some(start) = args.clock_start {
        builder = builder.start_clock_at(start);
    }
    builder = builder.bills_same_day(args.bills_same_day);
    let db = if args.no_db {
        None
    } else {
        let path = args.db.clone().unwrap_or_else(|| out.join("sandbox.db"));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        builder = builder.database(&path);
        Some(path)
    };
    let listed = match &args.merchants_file {
        Some(path) => crate::config::load_merchants(path).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    for merchant in &listed {
        builder = builder.register_merchant(merchant.clone());
    }
    let user = user_merchant(&args)?;
    if let Some(merchant) = &user {
        builder = builder.register_merchant(merchant.clone());
    }
    for i in 1..=args.make_merchants {
        builder = builder.add_merchant(
            crate::NewMerchant::new((FIRST_MADE_MCHID + i as u64).to_string())
                .key_mode(args.key_mode),
        );
    }
    let sandbox = builder.start().await.map_err(|e| e.to_string())?;
    let mut written = sandbox.write_dir(&out).map_err(|e| e.to_string())?;
    let v2 = match args.v2 {
        Some(addr) => {
            let v2 = start_v2(&sandbox, addr, args.v2_key.clone(), &out).await?;
            written.extend(v2.write_dir(&out).map_err(|e| e.to_string())?);
            Some(v2)
        }
        None => None,
    };

    println!("wxpay-sandbox wrote:");
    for file in &written {
        println!("  {file}");
    }
    let merchant = sandbox.merchant();
    println!();
    println!("base URL         {}", sandbox.base_url());
    println!("key mode         {}", sandbox.key_mode());
    println!("platform serial  {}", sandbox.platform_serial());
    println!("demo mchid       {}", merchant.mchid);
    println!("merchant serial  {}", merchant.serial_no);
    println!("merchants (out_trade_no and other numbers are per signing merchant):");
    for line in sandbox.merchant_lines() {
        println!("  {line}");
    }
    if let Some(fault) = args.fault {
        println!("fault (every request)  {fault}");
    }
    match &db {
        Some(path) => println!("orders kept in    {}", path.display()),
        None => println!("orders kept in    memory only"),
    }
    println!(
        "control API      {}sandbox/ (pay page: {}sandbox/pay/PREPAY_ID)",
        sandbox.base_url(),
        sandbox.base_url()
    );
    match sandbox.console_url() {
        Some(url) => println!("console          {url}"),
        None => println!("console          {}sandbox/", sandbox.base_url()),
    }
    if let Some(v2) = &v2 {
        println!(
            "APIv2 base URL   {} (TLS: trust {}; mutual TLS with {} and {})",
            v2.base_url(),
            crate::v2::APIV2_SERVER_CERT_FILE,
            crate::files::MERCHANT_CERT_FILE,
            crate::files::MERCHANT_KEY_FILE,
        );
    }
    println!("listening; Ctrl-C to stop");

    let stop = async {
        match args.run_for {
            Some(limit) => tokio::time::sleep(limit).await,
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    stop.await;
    drop(v2);
    sandbox.shutdown().await;
    Ok(())
}

/// The APIv2 listener for the demo merchant: its id and API certificate are
/// the APIv3 demo merchant's (WeChat issues one API certificate for both).
async fn start_v2(
    sandbox: &Sandbox,
    addr: SocketAddr,
    key: Option<String>,
    out: &std::path::Path,
) -> Result<crate::v2::V2Sandbox, String> {
    let key = match key {
        Some(key) => key,
        None => {
            let path = out.join(crate::v2::APIV2_KEY_FILE);
            match std::fs::read_to_string(&path) {
                Ok(text) => text.trim().to_owned(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    crate::v2::DEFAULT_KEY.to_owned()
                }
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        }
    };
    let merchant = sandbox.merchant();
    let certificate = merchant.certificate().map_err(|e| e.to_string())?;
    crate::v2::V2Sandbox::builder()
        .listen(addr)
        .mchid(merchant.mchid.clone())
        .key(key)
        .merchant_certificate(certificate, merchant.private_key.clone())
        .start()
        .await
        .map_err(|e| format!("APIv2: {e}"))
}

/// Runs the `wxpay-sandbox` command line on `args` (without the program
/// name): serves until Ctrl-C or `--run-for`, or runs one steering command,
/// printing to stdout/stderr as the binary does. Blocks; call it outside any
/// async runtime (it starts its own).
///
/// ```no_run
/// let code = wxpay_sandbox::unstable::cli_main(["--listen".to_owned(), "127.0.0.1:8080".to_owned()]);
/// # let _ = code;
/// ```
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let mut argv = args.into_iter().peekable();
    let command = argv
        .peek()
        .filter(|c| commands::COMMANDS.contains(&c.as_str()))
        .cloned();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wxpay-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(command) = command {
        argv.next();
        return match runtime.block_on(commands::run(&command, argv)) {
            Ok(answer) => {
                println!("{answer}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("wxpay-sandbox {command}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let args = match parse_args(argv) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}\n{}", commands::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("wxpay-sandbox: {e}\n\n{USAGE}\n{}", commands::USAGE);
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wxpay-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
