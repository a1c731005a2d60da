//! `wxpay encrypt` / `wxpay decrypt`: sensitive fields (RSA-OAEP, SHA-1).

use std::io::{BufRead, Read};

use serde_json::json;
use wxpay_core::Error;

use super::print_json;
use crate::args::CryptArgs;
use crate::config::Resolved;
use crate::error::CliError;

/// The value from the argument, or one line of stdin.
fn value(args: CryptArgs) -> Result<String, CliError> {
    match args.value {
        Some(v) if v != "-" => Ok(v),
        _ => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .take(64 * 1024)
                .read_line(&mut line)
                .map_err(|e| CliError::Io(format!("cannot read stdin: {e}")))?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

/// Prints `{"wechatpay_serial": ..., "ciphertext": ...}`: send the serial as
/// the request's `Wechatpay-Serial` header.
pub async fn encrypt(config: &Resolved, args: CryptArgs) -> Result<(), CliError> {
    let plaintext = value(args)?;
    let mut keyring = config.keyring()?;
    if keyring.is_empty() {
        keyring = config.client(true).await?.keyring().clone();
    }
    let encryptor = keyring.encryptor().ok_or_else(|| {
        CliError::Wxpay(Error::Config(
            "no WeChat Pay public key or valid platform certificate to encrypt with".into(),
        ))
    })?;
    let ciphertext = encryptor
        .encrypt(&plaintext)
        .map_err(|reason| Error::Crypto {
            what: "encrypt the value with WeChat Pay's key",
            reason,
        })?;
    print_json(&json!({
        "wechatpay_serial": encryptor.serial(),
        "ciphertext": ciphertext,
    }))
}

/// Prints the plaintext on one line.
pub fn decrypt(config: &Resolved, args: CryptArgs) -> Result<(), CliError> {
    let ciphertext = value(args)?;
    let plaintext = config
        .private_key()?
        .decrypt_oaep_base64(ciphertext.trim())
        .map_err(|reason| Error::Crypto {
            what: "decrypt the value with the merchant private key (was it encrypted for this merchant?)",
            reason,
        })?;
    println!("{plaintext}");
    Ok(())
}
