//! A client for a sandbox running in another process (`wxpay-sandbox
//! --listen 127.0.0.1:PORT --out DIR`), so the client can be measured on
//! its own core: the base URL and the credentials folder the sandbox wrote.
//! Only loopback addresses are accepted: load never leaves this machine.

use std::path::Path;

use wxpay_core::{Certificate, Client, ClientBuilder, Keyring, PrivateKey, PublicKey};

/// A client builder for the demo merchant of the sandbox at `base_url`,
/// trusting the platform key or certificate found in `dir`.
pub fn client_builder(base_url: &str, dir: &Path) -> Result<ClientBuilder, String> {
    let url = url_host(base_url).ok_or_else(|| format!("--base-url {base_url:?}: no host"))?;
    let loopback = url.eq_ignore_ascii_case("localhost")
        || url
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!(
            "refusing to load {base_url}: only loopback addresses are measured"
        ));
    }
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map(|s| s.trim().to_owned())
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let keyring = Keyring::new();
    if let Ok(id) = read("pub_key_id.txt") {
        let key = PublicKey::from_pem(&read("pub_key.pem")?).map_err(|e| e.to_string())?;
        keyring
            .add_public_key(&id, key)
            .map_err(|e| e.to_string())?;
    }
    if let Ok(pem) = read("platform_cert.pem") {
        keyring.add_certificate(Certificate::from_pem(&pem).map_err(|e| e.to_string())?);
    }
    if keyring.is_empty() {
        return Err(format!(
            "{}: neither pub_key_id.txt + pub_key.pem nor platform_cert.pem",
            dir.display()
        ));
    }
    Ok(Client::builder()
        .mchid(read("mchid.txt")?)
        .merchant_serial(read("merchant_serial.txt")?)
        .private_key(PrivateKey::from_pem(&read("apiclient_key.pem")?).map_err(|e| e.to_string())?)
        .keyring(keyring)
        .base_url(base_url))
}

fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    Some(match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_loaded() {
        let dir = Path::new("/nonexistent");
        for url in [
            "http://10.0.0.1:8080/",
            "https://api.mch.weixin.qq.com/",
            "http://192.168.1.2/",
        ] {
            let err = client_builder(url, dir).err().unwrap();
            assert!(err.contains("only loopback"), "{url}: {err}");
        }
        for url in [
            "http://127.0.0.1:8080/",
            "http://localhost:1/",
            "http://[::1]:8080/",
        ] {
            let err = client_builder(url, dir).err().unwrap();
            assert!(!err.contains("only loopback"), "{url}: {err}");
        }
    }
}
