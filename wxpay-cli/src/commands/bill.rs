//! `wxpay bill trade|fundflow`: ask for a bill, download it, check its SHA-1
//! and only then put it in place.

use wxpay_core::bills::BillInfo;
use wxpay_core::Method;

use crate::args::{BillArgs, BillKind};
use crate::config::Resolved;
use crate::error::CliError;
use crate::progress::Meter;

pub async fn run(config: &Resolved, args: BillArgs) -> Result<(), CliError> {
    let client = config.client(true).await?;
    let (path, type_field) = match args.kind {
        BillKind::Trade => ("v3/bill/tradebill", "bill_type"),
        BillKind::Fundflow => ("v3/bill/fundflowbill", "account_type"),
    };
    let mut request = client
        .request(Method::Get, path)
        .query_pair("bill_date", &args.date);
    if let Some(kind) = &args.bill_type {
        request = request.query_pair(type_field, kind);
    }
    let info: BillInfo = request.send().await?;
    let download = client.download_bill(&info).await?;
    // Written beside the target and renamed only once the hash matched, so a
    // file at `out` is always a checked bill.
    let mut meter = Meter::new(format!("downloading {}", args.out.display()), args.progress);
    let written = match download
        .save_to_with_progress(&args.out, |n| meter.set(n))
        .await
    {
        Ok(n) => n,
        Err(e) => {
            meter.finish(" failed");
            return Err(e.into());
        }
    };
    meter.finish(" done");
    println!(
        "saved {} ({written} bytes, SHA-1 {} verified)",
        args.out.display(),
        info.hash_value.to_ascii_lowercase()
    );
    Ok(())
}
