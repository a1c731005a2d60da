//! `wxpay bill trade|fundflow`: ask for a bill, download it, check its SHA-1
//! and only then put it in place; with `--parse`, print its rows.

use wxpay_core::bills::{BillDate, BillInfo};
use wxpay_core::Method;

use crate::args::Bill;
use crate::config::Resolved;
use crate::error::CliError;
use crate::progress::Meter;

pub async fn run(config: &Resolved, which: Bill) -> Result<(), CliError> {
    let (args, path, type_field) = match which {
        Bill::Trade(args) => (args, "v3/bill/tradebill", "bill_type"),
        Bill::Fundflow(args) => (args, "v3/bill/fundflowbill", "account_type"),
        Bill::Parse(_) | Bill::Reconcile(_) => {
            return Err(CliError::Usage("not a download".into()))
        }
    };
    let date = match &args.date {
        Some(text) => text
            .parse::<BillDate>()
            .map_err(|e| CliError::Usage(format!("--date: {e}")))?,
        None => BillDate::yesterday_in_china(),
    };
    let client = config.client(true).await?;
    let mut request = client
        .request(Method::Get, path)
        .query_pair("bill_date", &date.to_string());
    if let Some(kind) = &args.bill_type {
        request = request.query_pair(type_field, kind);
    }
    let info: BillInfo = request.send().await.map_err(|e| with_advice(e, date))?;
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
    let saved = format!(
        "saved {} ({written} bytes, SHA-1 {} verified)",
        args.out.display(),
        info.hash_value.to_ascii_lowercase()
    );
    if args.parse {
        // stdout carries the rows alone.
        eprintln!("{saved}");
        super::bill_read::print_rows(&args.out)
    } else {
        println!("{saved}");
        Ok(())
    }
}

/// WeChat's "no bill (yet)" answers keep their exit status and gain what to do.
fn with_advice(e: wxpay_core::Error, date: BillDate) -> CliError {
    match e.bill_unavailable() {
        Some(why) => CliError::BillUnavailable {
            advice: why.advice(date, wxpay_core::bills::ChinaTime::now()),
            source: e,
        },
        None => e.into(),
    }
}
