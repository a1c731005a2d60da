//! `wxpay bill trade|fundflow`: ask for a bill, download it, check its SHA-1
//! and only then put it in place.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;
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
    let mut download = client.download_bill(&info).await?;

    // Written beside the target and renamed only once the hash matched, so a
    // file at `out` is always a checked bill.
    let partial = partial_path(&args.out);
    let io = |what: &str, path: &Path, e: std::io::Error| {
        CliError::Io(format!("cannot {what} {}: {e}", path.display()))
    };
    let mut file = tokio::fs::File::create(&partial)
        .await
        .map_err(|e| io("create", &partial, e))?;
    let mut meter = Meter::new(format!("downloading {}", args.out.display()), args.progress);
    let copied = async {
        let mut written = 0u64;
        while let Some(chunk) = download.chunk().await? {
            file.write_all(&chunk)
                .await
                .map_err(|e| io("write", &partial, e))?;
            written += chunk.len() as u64;
            meter.add(chunk.len());
        }
        file.flush().await.map_err(|e| io("write", &partial, e))?;
        Ok::<_, CliError>(written)
    }
    .await;
    drop(file);
    let written = match copied {
        Ok(n) => n,
        Err(e) => {
            meter.finish(" failed");
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e);
        }
    };
    tokio::fs::rename(&partial, &args.out)
        .await
        .map_err(|e| io("rename into", &args.out, e))?;
    meter.finish(" done");
    println!(
        "saved {} ({written} bytes, SHA-1 {} verified)",
        args.out.display(),
        info.hash_value.to_ascii_lowercase()
    );
    Ok(())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
