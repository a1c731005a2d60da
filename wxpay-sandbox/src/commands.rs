//! The binary's commands that steer a running sandbox through its control API
//! (`/sandbox/...`): pay, fail or close an order, settle a refund, list and
//! re-send notifications, show merchants, profit sharing and transfers,
//! confirm or reject a transfer as its user, set a receiver to fail. They
//! print the control API's JSON answer.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

pub(crate) const USAGE: &str = "\
COMMANDS (against a running sandbox; --url BASE or --out DIR to find it):
    wxpay-sandbox pay    (--mchid ID --out-trade-no NO [--sub-mchid ID] | --prepay-id ID) [--openid OPENID]
    wxpay-sandbox fail   (--mchid ID --out-trade-no NO [--sub-mchid ID] | --prepay-id ID)
    wxpay-sandbox close  (--mchid ID --out-trade-no NO [--sub-mchid ID] | --prepay-id ID)
    wxpay-sandbox order  (--mchid ID --out-trade-no NO [--sub-mchid ID] | --prepay-id ID)
    wxpay-sandbox refund-outcome --mchid ID --out-refund-no NO --status SUCCESS|ABNORMAL|CLOSED
    wxpay-sandbox notifications [--mchid ID] [--sub-mchid ID]
    wxpay-sandbox resend --id NOTIFICATION_ID
    wxpay-sandbox clock [--advance-secs N]   the business clock (moved forward by N)
    wxpay-sandbox bill-time                  move it to 10:00 China time tomorrow,
                                             when today's bills can be fetched
    wxpay-sandbox merchants
    wxpay-sandbox profitsharing [--mchid ID] [--sub-mchid ID]
    wxpay-sandbox profitsharing-settle --mchid ID --out-order-no NO
    wxpay-sandbox receiver-outcome --mchid ID [--sub-mchid ID] --type TYPE --account ACCOUNT
                                   (--fail-reason REASON | --fail-reason none)
    wxpay-sandbox transfers [--mchid ID] [--sub-mchid ID]
    wxpay-sandbox transfer-confirm (--package-info P | --mchid ID --out-bill-no NO) [--fail-reason REASON]
    wxpay-sandbox transfer-reject  (--package-info P | --mchid ID --out-bill-no NO)
    wxpay-sandbox transfer-finish  --mchid ID --out-bill-no NO
";

/// The command names `main` hands to [`run`].
pub(crate) const COMMANDS: [&str; 17] = [
    "pay",
    "fail",
    "close",
    "order",
    "refund-outcome",
    "notifications",
    "resend",
    "clock",
    "bill-time",
    "merchants",
    "profitsharing",
    "profitsharing-settle",
    "receiver-outcome",
    "transfers",
    "transfer-confirm",
    "transfer-reject",
    "transfer-finish",
];

#[derive(Default)]
struct Options {
    url: Option<String>,
    out: Option<PathBuf>,
    mchid: Option<String>,
    out_trade_no: Option<String>,
    prepay_id: Option<String>,
    openid: Option<String>,
    out_refund_no: Option<String>,
    status: Option<String>,
    id: Option<String>,
    advance_secs: Option<String>,
    sub_mchid: Option<String>,
    out_order_no: Option<String>,
    kind: Option<String>,
    account: Option<String>,
    fail_reason: Option<String>,
    package_info: Option<String>,
    out_bill_no: Option<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options::default();
    while let Some(flag) = args.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| format!("{name} needs a value"))?;
        let slot = match name.as_str() {
            "--url" => &mut o.url,
            "--mchid" => &mut o.mchid,
            "--out-trade-no" => &mut o.out_trade_no,
            "--prepay-id" => &mut o.prepay_id,
            "--openid" => &mut o.openid,
            "--out-refund-no" => &mut o.out_refund_no,
            "--status" => &mut o.status,
            "--id" => &mut o.id,
            "--advance-secs" => &mut o.advance_secs,
            "--sub-mchid" => &mut o.sub_mchid,
            "--out-order-no" => &mut o.out_order_no,
            "--type" => &mut o.kind,
            "--account" => &mut o.account,
            "--fail-reason" => &mut o.fail_reason,
            "--package-info" => &mut o.package_info,
            "--out-bill-no" => &mut o.out_bill_no,
            "--out" => {
                o.out = Some(value.into());
                continue;
            }
            other => return Err(format!("unknown option {other:?}")),
        };
        *slot = Some(value);
    }
    Ok(o)
}

/// The running sandbox's base URL: `--url`, else `base_url` of `--out`'s `sandbox.json`.
fn base_url(o: &Options) -> Result<String, String> {
    if let Some(url) = &o.url {
        return Ok(if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        });
    }
    let dir = o
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("wxpay-sandbox"));
    let path = dir.join(crate::files::SUMMARY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (give --url http://HOST:PORT/ or the --out directory of the running sandbox)",
            path.display()
        )
    })?;
    let summary: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    summary["base_url"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no base_url", path.display()))
}

fn order_ref(o: &Options) -> Result<Value, String> {
    match (&o.prepay_id, &o.mchid, &o.out_trade_no) {
        (Some(id), _, _) => Ok(json!({ "prepay_id": id })),
        (None, Some(mchid), Some(no)) => {
            let mut named = json!({ "mchid": mchid, "out_trade_no": no });
            if let Some(sub) = &o.sub_mchid {
                named["sub_mchid"] = json!(sub);
            }
            Ok(named)
        }
        _ => Err("name the order: --mchid ID --out-trade-no NO, or --prepay-id ID".into()),
    }
}

fn bill_ref(o: &Options) -> Result<Value, String> {
    match (&o.package_info, &o.mchid, &o.out_bill_no) {
        (Some(package), _, _) => Ok(json!({ "package_info": package })),
        (None, Some(mchid), Some(no)) => Ok(json!({ "mchid": mchid, "out_bill_no": no })),
        _ => Err("name the transfer: --package-info P, or --mchid ID --out-bill-no NO".into()),
    }
}

/// `?mchid=&sub_mchid=` from the options given.
fn filters(o: &Options) -> String {
    let pairs: Vec<String> = [("mchid", &o.mchid), ("sub_mchid", &o.sub_mchid)]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| format!("{name}={}", enc(v))))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn required<'a>(value: &'a Option<String>, flag: &str) -> Result<&'a str, String> {
    value
        .as_deref()
        .ok_or_else(|| format!("{flag} is required"))
}

/// Runs one command; `Ok` carries what to print.
pub(crate) async fn run(
    command: &str,
    args: impl Iterator<Item = String>,
) -> Result<String, String> {
    let o = parse(args)?;
    let base = base_url(&o)?;
    let (method, path, body) = match command {
        "pay" => {
            let mut body = order_ref(&o)?;
            if let Some(openid) = &o.openid {
                body["openid"] = json!(openid);
            }
            (
                reqwest::Method::POST,
                "sandbox/orders/pay".to_owned(),
                Some(body),
            )
        }
        "fail" | "close" => (
            reqwest::Method::POST,
            format!("sandbox/orders/{command}"),
            Some(order_ref(&o)?),
        ),
        "order" => {
            let query = match order_ref(&o)? {
                v if v.get("prepay_id").is_some() => {
                    format!("prepay_id={}", enc(v["prepay_id"].as_str().unwrap_or("")))
                }
                v => format!(
                    "mchid={}&out_trade_no={}{}",
                    enc(v["mchid"].as_str().unwrap_or("")),
                    enc(v["out_trade_no"].as_str().unwrap_or("")),
                    v["sub_mchid"]
                        .as_str()
                        .map(|s| format!("&sub_mchid={}", enc(s)))
                        .unwrap_or_default()
                ),
            };
            (
                reqwest::Method::GET,
                format!("sandbox/orders?{query}"),
                None,
            )
        }
        "refund-outcome" => (
            reqwest::Method::POST,
            "sandbox/refunds/outcome".to_owned(),
            Some(json!({
                "mchid": required(&o.mchid, "--mchid")?,
                "out_refund_no": required(&o.out_refund_no, "--out-refund-no")?,
                "status": required(&o.status, "--status")?,
            })),
        ),
        "notifications" => (
            reqwest::Method::GET,
            format!("sandbox/notifications{}", filters(&o)),
            None,
        ),
        "merchants" => (reqwest::Method::GET, "sandbox/merchants".to_owned(), None),
        "profitsharing" => (
            reqwest::Method::GET,
            format!("sandbox/profitsharing{}", filters(&o)),
            None,
        ),
        "profitsharing-settle" => (
            reqwest::Method::POST,
            "sandbox/profitsharing/orders/settle".to_owned(),
            Some(json!({
                "mchid": required(&o.mchid, "--mchid")?,
                "out_order_no": required(&o.out_order_no, "--out-order-no")?,
            })),
        ),
        "receiver-outcome" => {
            let reason = required(&o.fail_reason, "--fail-reason")?;
            (
                reqwest::Method::POST,
                "sandbox/profitsharing/receivers/outcome".to_owned(),
                Some(json!({
                    "mchid": required(&o.mchid, "--mchid")?,
                    "sub_mchid": o.sub_mchid,
                    "type": required(&o.kind, "--type")?,
                    "account": required(&o.account, "--account")?,
                    "fail_reason": (reason != "none").then_some(reason),
                })),
            )
        }
        "transfers" => (
            reqwest::Method::GET,
            format!("sandbox/transfers{}", filters(&o)),
            None,
        ),
        "transfer-confirm" => {
            let mut body = bill_ref(&o)?;
            if let Some(reason) = &o.fail_reason {
                body["fail_reason"] = json!(reason);
            }
            (
                reqwest::Method::POST,
                "sandbox/transfers/confirm".to_owned(),
                Some(body),
            )
        }
        "transfer-reject" => (
            reqwest::Method::POST,
            "sandbox/transfers/reject".to_owned(),
            Some(bill_ref(&o)?),
        ),
        "transfer-finish" => (
            reqwest::Method::POST,
            "sandbox/transfers/finish".to_owned(),
            Some(json!({
                "mchid": required(&o.mchid, "--mchid")?,
                "out_bill_no": required(&o.out_bill_no, "--out-bill-no")?,
            })),
        ),
        "resend" => (
            reqwest::Method::POST,
            "sandbox/notifications/resend".to_owned(),
            Some(json!({ "id": required(&o.id, "--id")? })),
        ),
        "clock" => match &o.advance_secs {
            None => (reqwest::Method::GET, "sandbox/clock".to_owned(), None),
            Some(secs) => {
                let secs: u64 = secs
                    .parse()
                    .map_err(|_| format!("--advance-secs: {secs:?} is not a number of seconds"))?;
                (
                    reqwest::Method::POST,
                    "sandbox/clock".to_owned(),
                    Some(json!({ "advance_secs": secs })),
                )
            }
        },
        "bill-time" => (
            reqwest::Method::POST,
            "sandbox/clock".to_owned(),
            Some(json!({ "to_bill_time": true })),
        ),
        other => return Err(format!("unknown command {other:?}")),
    };
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut request = http.request(method, format!("{base}{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("cannot reach the sandbox at {base}: {e}"))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    let pretty = serde_json::to_string_pretty(&answer).unwrap_or_default();
    if status.is_success() {
        Ok(pretty)
    } else {
        Err(format!("HTTP {status}: {pretty}"))
    }
}

fn enc(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
