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
