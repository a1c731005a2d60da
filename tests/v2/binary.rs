//! The `wxpay-sandbox` command line serves APIv2 beside APIv3 (`--v2 ADDR`),
//! and the files it writes configure an APIv2 client: the APIv2 key, the
//! server certificate to trust, and the APIv3 demo merchant's API
//! certificate for mutual TLS (WeChat issues one for both APIs).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wxpay_core::v2::{ApiV2Key, V2Client};
use wxpay_sandbox::files::{MCHID_FILE, MERCHANT_CERT_FILE, MERCHANT_KEY_FILE};
use wxpay_sandbox::v2::{APIV2_KEY_FILE, APIV2_SERVER_CERT_FILE, APIV2_SUMMARY_FILE};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wxpay-v2-bin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Waits for the binary to write its APIv2 summary (it writes it after both
/// listeners are up).
fn wait_for_summary(dir: &Path) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(dir.join(APIV2_SUMMARY_FILE)) {
            if let Ok(summary) = serde_json::from_str(&text) {
                return summary;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the sandbox wrote no APIv2 summary"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_binary_serves_apiv2_with_the_demo_merchants_api_certificate() {
    let dir = temp_dir("serve");
    let args: Vec<String> = [
        "--listen",
        "127.0.0.1:0",
        "--v2",
        "127.0.0.1:0",
        "--v2-key",
        "0123456789abcdef0123456789ABCDEF",
        "--no-db",
        "--run-for",
        "10",
        "--out",
        dir.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let server = std::thread::spawn(move || wxpay_sandbox::unstable::cli_main(args));
    let summary = wait_for_summary(&dir);

    let mchid = read(&dir, MCHID_FILE).trim().to_owned();
    assert_eq!(summary["mchid"], mchid.as_str());
    let base_url = summary["base_url"].as_str().unwrap().to_owned();
    assert!(base_url.starts_with("https://127.0.0.1:"), "{base_url}");
    let key = read(&dir, APIV2_KEY_FILE);
    assert_eq!(key.trim(), "0123456789abcdef0123456789ABCDEF");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = V2Client::builder()
            .mchid(&mchid)
            .key(ApiV2Key::new(key.trim()).unwrap())
            .base_url(&base_url)
            .tls_root_certificate_pem(read(&dir, APIV2_SERVER_CERT_FILE).as_bytes())
            .merchant_certificate_pem(
                read(&dir, MERCHANT_CERT_FILE).as_bytes(),
                read(&dir, MERCHANT_KEY_FILE).as_bytes(),
            )
            .unwrap()
            .build()
            .unwrap();
        let paid = client
            .call("pay/micropay")
            .param("appid", "wxd678efh567hg6787")
            .param("body", "till")
            .param("out_trade_no", "BIN1")
            .param("total_fee", "100")
            .param("spbill_create_ip", "127.0.0.1")
            .param("auth_code", "134567890123456789")
            .send()
            .await
            .unwrap();
        assert!(paid.verified());
        assert_eq!(paid.get("mch_id"), Some(mchid.as_str()));
        // A certificate operation: the server checks the client certificate.
        let refund = client
            .call("secapi/pay/refund")
            .param("appid", "wxd678efh567hg6787")
            .param("out_trade_no", "BIN1")
            .param("out_refund_no", "BINR1")
            .param("total_fee", "100")
            .param("refund_fee", "100")
            .send()
            .await
            .unwrap();
        assert_eq!(refund.get("refund_fee"), Some("100"));
    });
    drop(runtime);
    // `--run-for` (counted from when both listeners are up) ends the
    // server; its exit code is success.
    let code = server.join().unwrap();
    assert_eq!(
        format!("{code:?}"),
        format!("{:?}", std::process::ExitCode::SUCCESS)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
