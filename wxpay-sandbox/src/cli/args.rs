//! The flags of `wxpay-sandbox` when it serves: the usage text, the parsed
//! flags, and the merchant the `--merchant-*` flags register.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Fault, KeyMode, Merchant, SandboxError};
use wxpay_core::{Certificate, PublicKey};

pub(super) const USAGE: &str = "\
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

/// The flags of serving, as parsed.
#[derive(Default)]
pub(super) struct Args {
    pub(super) listen: Option<SocketAddr>,
    pub(super) console: Option<SocketAddr>,
    pub(super) out: Option<PathBuf>,
    pub(super) key_mode: KeyMode,
    pub(super) mchid: Option<String>,
    pub(super) settle_after: Option<Duration>,
    pub(super) max_body_bytes: Option<usize>,
    pub(super) max_connections: Option<usize>,
    pub(super) idle_timeout: Option<Duration>,
    pub(super) max_orders: Option<usize>,
    pub(super) fault: Option<Fault>,
    pub(super) run_for: Option<Duration>,
    pub(super) merchant_mchid: Option<String>,
    pub(super) merchant_apiv3_key: Option<String>,
    pub(super) merchant_cert: Option<PathBuf>,
    pub(super) merchant_public_key: Option<PathBuf>,
    pub(super) merchant_serial: Option<String>,
    pub(super) merchant_sub_mchids: Vec<String>,
    pub(super) auto_pay: Option<Duration>,
    pub(super) time_scale: Option<f64>,
    pub(super) refund_after: Option<Option<Duration>>,
    pub(super) profit_sharing_after: Option<Option<Duration>>,
    pub(super) transfer_after: Option<Option<Duration>>,
    pub(super) profit_sharing_notify_url: Option<String>,
    pub(super) appids: Vec<String>,
    pub(super) sub_appids: Vec<(String, String)>,
    pub(super) notify_allow: Vec<String>,
    pub(super) sub_mchids: Vec<String>,
    pub(super) db: Option<PathBuf>,
    pub(super) no_db: bool,
    pub(super) bills_same_day: bool,
    pub(super) clock_start: Option<std::time::SystemTime>,
    pub(super) merchants_file: Option<PathBuf>,
    pub(super) make_merchants: usize,
    pub(super) v2: Option<SocketAddr>,
    pub(super) v2_key: Option<String>,
}

/// `--make-merchants N` makes merchants from this id on (+1, +2, ...).
pub(super) const FIRST_MADE_MCHID: u64 = 1_900_200_000;
/// Each made merchant generates two RSA keys at start.
const MAX_MADE_MERCHANTS: usize = 1000;

pub(super) fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
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
pub(super) fn user_merchant(args: &Args) -> Result<Option<Merchant>, String> {
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
