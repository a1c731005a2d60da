//! Serving: the sandbox built from the flags, started with its files
//! written and its addresses announced, until Ctrl-C or `--run-for`; and
//! the APIv2 listener beside it.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::args::{user_merchant, Args, FIRST_MADE_MCHID};
use crate::Sandbox;

pub(super) async fn run(args: Args) -> Result<(), String> {
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

    // Announced in one write; nobody reading it (a closed pipe) is no reason
    // to stop serving: the sandbox's output is its listener, not stdout.
    let _ = super::say(&announcement(
        &sandbox,
        &args,
        &written,
        db.as_deref(),
        v2.as_ref(),
    ));

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

/// What the command line prints once the sandbox is up: the files written,
/// the addresses, the merchants and where things are kept.
fn announcement(
    sandbox: &Sandbox,
    args: &Args,
    written: &[crate::files::WrittenFile],
    db: Option<&std::path::Path>,
    v2: Option<&crate::v2::V2Sandbox>,
) -> String {
    let base = sandbox.base_url();
    let merchant = sandbox.merchant();
    let mut lines = vec!["wxpay-sandbox wrote:".to_owned()];
    lines.extend(written.iter().map(|file| format!("  {file}")));
    lines.extend([
        String::new(),
        format!("base URL         {base}"),
        format!("key mode         {}", sandbox.key_mode()),
        format!("platform serial  {}", sandbox.platform_serial()),
        format!("demo mchid       {}", merchant.mchid),
        format!("merchant serial  {}", merchant.serial_no),
        "merchants (out_trade_no and other numbers are per signing merchant):".to_owned(),
    ]);
    lines.extend(
        sandbox
            .merchant_lines()
            .iter()
            .map(|line| format!("  {line}")),
    );
    if let Some(fault) = args.fault {
        lines.push(format!("fault (every request)  {fault}"));
    }
    lines.push(match db {
        Some(path) => format!("orders kept in    {}", path.display()),
        None => "orders kept in    memory only".to_owned(),
    });
    lines.push(format!(
        "control API      {base}sandbox/ (pay page: {base}sandbox/pay/PREPAY_ID)"
    ));
    lines.push(match sandbox.console_url() {
        Some(url) => format!("console          {url}"),
        None => format!("console          {base}sandbox/"),
    });
    if let Some(v2) = v2 {
        lines.push(format!(
            "APIv2 base URL   {} (TLS: trust {}; mutual TLS with {} and {})",
            v2.base_url(),
            crate::v2::APIV2_SERVER_CERT_FILE,
            crate::files::MERCHANT_CERT_FILE,
            crate::files::MERCHANT_KEY_FILE,
        ));
    }
    lines.push("listening; Ctrl-C to stop".to_owned());
    lines.join("\n") + "\n"
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
