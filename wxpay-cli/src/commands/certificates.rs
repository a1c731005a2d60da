//! `wxpay certificates`: download the platform certificates, verify the
//! download, decrypt them, print serials and validity, save the PEMs.

use std::io::Write;

use wxpay_core::{RefreshOutcome, VerificationKey};

use crate::args::CertificatesArgs;
use crate::config::Resolved;
use crate::error::CliError;

use super::rfc3339;

pub async fn run(config: &Resolved, args: CertificatesArgs) -> Result<(), CliError> {
    let key = config.apiv3_key()?;
    // No bootstrap: this command is the bootstrap. The core verifies a first
    // download with the certificate it carries (or a configured public key).
    let client = config.client(false).await?;
    let serials = match client.refresh_certificates(&key).await? {
        RefreshOutcome::PublicKeyMode => {
            println!(
                "public-key mode: this merchant has no platform certificates; \
                 WeChat Pay signs with the configured public key"
            );
            return Ok(());
        }
        RefreshOutcome::Certificates { current, .. } => current,
        _ => Vec::new(),
    };
    if serials.is_empty() {
        return Err(CliError::Wxpay(wxpay_core::Error::Config(
            "the listing held no certificate valid now".into(),
        )));
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<42} {:<21} {:<21} SAVED",
        "SERIAL", "NOT BEFORE", "NOT AFTER"
    )?;
    let mut pems = Vec::new();
    for serial in &serials {
        let Some(VerificationKey::Certificate(certificate)) = client.keyring().get(serial) else {
            continue;
        };
        let pem = certificate.to_pem();
        let saved = match &args.out {
            Some(dir) => {
                let path = dir.join(format!("wechatpay_{serial}.pem"));
                std::fs::write(&path, &pem)
                    .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
                path.display().to_string()
            }
            None => "-".to_owned(),
        };
        writeln!(
            out,
            "{:<42} {:<21} {:<21} {saved}",
            serial,
            rfc3339(certificate.not_before()),
            rfc3339(certificate.not_after())
        )?;
        pems.push(pem);
    }
    if args.pem {
        for pem in pems {
            write!(out, "{pem}")?;
        }
    }
    out.flush()?;
    Ok(())
}
