//! The credentials directory: written for other SDKs, loaded on a restart.

use wxpay_core::{Certificate, Client, PrivateKey};
use wxpay_sandbox::files::{
    APIV3_KEY_FILE, MCHID_FILE, MERCHANT_CERT_FILE, MERCHANT_KEY_FILE, MERCHANT_SERIAL_FILE,
    PLATFORM_CERT_FILE, PUBLIC_KEY_FILE, PUBLIC_KEY_ID_FILE, SUMMARY_FILE,
};
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::*;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("wxpay-sandbox-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[tokio::test]
async fn written_files_configure_a_client_and_a_restart_keeps_the_identity() {
    let dir = temp_dir("restart");
    let first = start(KeyMode::Certificate).await;
    let written = first.write_dir(&dir).unwrap();
    assert!(written.iter().all(|f| f.path.exists()));
    let summary: serde_json::Value = serde_json::from_str(&read(&dir, SUMMARY_FILE)).unwrap();
    assert_eq!(summary["base_url"], first.base_url());
    assert_eq!(summary["platform_serial"], first.platform_serial());
    assert_eq!(summary["mchid"], first.merchant().mchid.as_str());
    assert_eq!(
        read(&dir, MERCHANT_SERIAL_FILE).trim(),
        first.merchant().serial_no
    );
    let (platform_serial, merchant_serial) = (
        first.platform_serial().to_owned(),
        first.merchant().serial_no.clone(),
    );
    first.shutdown().await;

    let second = Sandbox::builder()
        .load_dir(&dir)
        .unwrap()
        .start()
        .await
        .unwrap();
    assert_eq!(second.platform_serial(), platform_serial);
    assert_eq!(second.merchant().serial_no, merchant_serial);

    // A client configured only from the files, as another SDK would be.
    let client = Client::builder()
        .mchid(read(&dir, MCHID_FILE).trim())
        .merchant_serial(read(&dir, MERCHANT_SERIAL_FILE).trim())
        .private_key(PrivateKey::from_pem_file(dir.join(MERCHANT_KEY_FILE)).unwrap())
        .platform_certificate(Certificate::from_pem_file(dir.join(PLATFORM_CERT_FILE)).unwrap())
        .base_url(second.base_url())
        .build()
        .unwrap();
    let answer = get(&client, "v3/certificates", &[]).await.unwrap();
    let encrypted = &answer["data"][0]["encrypt_certificate"];
    let pem = wxpay_core::ApiV3Key::new(read(&dir, APIV3_KEY_FILE).trim())
        .unwrap()
        .decrypt_to_string(
            encrypted["ciphertext"].as_str().unwrap(),
            encrypted["nonce"].as_str().unwrap(),
            "certificate",
        )
        .unwrap();
    assert_eq!(
        Certificate::from_pem(&pem).unwrap().serial(),
        platform_serial
    );
    assert_eq!(
        Certificate::from_pem(&read(&dir, MERCHANT_CERT_FILE))
            .unwrap()
            .serial(),
        merchant_serial
    );
    second.shutdown().await;

    // The same files serve public-key mode with the written key id.
    let third = Sandbox::builder()
        .key_mode(KeyMode::PublicKey)
        .load_dir(&dir)
        .unwrap()
        .start()
        .await
        .unwrap();
    assert_eq!(
        third.platform_serial(),
        read(&dir, PUBLIC_KEY_ID_FILE).trim()
    );
    let client = Client::builder()
        .mchid(read(&dir, MCHID_FILE).trim())
        .merchant_serial(read(&dir, MERCHANT_SERIAL_FILE).trim())
        .private_key(PrivateKey::from_pem_file(dir.join(MERCHANT_KEY_FILE)).unwrap())
        .wechatpay_public_key(
            read(&dir, PUBLIC_KEY_ID_FILE).trim(),
            wxpay_core::PublicKey::from_pem_file(dir.join(PUBLIC_KEY_FILE)).unwrap(),
        )
        .unwrap()
        .base_url(third.base_url())
        .build()
        .unwrap();
    post(&client, AFTER_SALES, &after_sales("T-files", 5))
        .await
        .unwrap();
    third.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_broken_credentials_directory_is_an_error_not_a_panic() {
    let dir = temp_dir("broken");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(wxpay_sandbox::files::PLATFORM_KEY_FILE),
        "not a key",
    )
    .unwrap();
    assert!(matches!(
        Sandbox::builder().load_dir(&dir),
        Err(wxpay_sandbox::SandboxError::Key(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
