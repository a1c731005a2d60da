//! Regression tests for the defects found by fuzzing and review (issue 9):
//! each failed before its fix.

use std::io::Write;
use std::time::Duration;

use wxpay_core::bills::BillInfo;
use wxpay_core::{ApiV3Key, Certificate, Client, Error, Keyring, Method, Upload, VerifyError};
use wxpay_core::{DownloadRequest, FileAnswer};

use crate::server::{Reply, Signing, TestServer};

/// Runs `f` on a thread and fails the test (instead of hanging it) when it
/// does not return within `limit`.
fn returns_within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .expect("did not return in time (hang)")
}

// 1. A truncated certificate block made der's PEM reader loop forever.
#[test]
fn truncated_certificate_blocks_fail_fast() {
    for pem in [
        "-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIDxTCCAq2gAwIBAgIU\n-----END CERTIFICATE-----",
    ] {
        let result = returns_within(Duration::from_secs(20), move || {
            let direct = Certificate::from_pem(pem).map(|_| ());
            let keyring = Keyring::new().add_certificate_pem(pem).map(|_| ());
            (direct, keyring)
        });
        assert!(result.0.is_err(), "{pem:?} parsed");
        assert!(result.1.is_err(), "{pem:?} added");
    }
}

/// Two servers: `home` is the configured base URL, `other` must never see a request.
async fn home_and_other() -> (TestServer, TestServer, String) {
    let home = TestServer::start().await;
    let other = TestServer::start().await;
    let other_host = other
        .base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    (home, other, other_host)
}

// 2. Download URLs, templates and upload paths that name another host.
#[tokio::test]
async fn the_signature_never_leaves_the_configured_host() {
    let (home, other, o) = home_and_other().await;
    home.reply(Reply::json(200, "bill").signing(Signing::None));
    let client = home.client();
    let hostile = [
        format!("HTTP://{o}/v3/billdownload/file?token=t"),
        format!("Http://{o}/v3/billdownload/file?token=t"),
        format!("hTTpS://{o}/v3/billdownload/file?token=t"),
        format!("\\\\{o}\\v3\\billdownload\\file?token=t"),
        format!("\\/{o}/v3/billdownload/file?token=t"),
        format!("/\\{o}/v3/billdownload/file?token=t"),
        format!("http:\\\\{o}\\v3/billdownload/file?token=t"),
        format!("http:{o}/v3/billdownload/file?token=t"),
        format!("http:/{o}/v3/billdownload/file?token=t"),
        format!("//{o}/v3/billdownload/file?token=t"),
        format!("///{o}/v3/billdownload/file?token=t"),
        format!("ftp://{o}/v3/billdownload/file?token=t"),
        format!("http://user@{o}/v3/billdownload/file?token=t"),
        format!(" http://{o}/v3/billdownload/file?token=t"),
        format!("\thttp://{o}/v3/billdownload/file?token=t"),
    ];
    for url in &hostile {
        if let Ok(request) = DownloadRequest::from_url(url, FileAnswer::Unsigned) {
            let _ = client.download(&request).await;
        }
        let _ = client
            .request(Method::Get, url)
            .send::<serde_json::Value>()
            .await;
        let _ = client
            .upload::<serde_json::Value>(url, &Upload::new("a.jpg", vec![1, 2, 3]))
            .await;
        assert_eq!(other.count(), 0, "{url:?} reached the other host");
    }
    // The forms that merely name a host are sent home, path and query only.
    let request = DownloadRequest::from_url(
        &format!("HTTP://{o}/v3/billdownload/file?token=t"),
        FileAnswer::Unsigned,
    )
    .unwrap();
    let mut download = client.download(&request).await.unwrap();
    assert_eq!(download.chunk().await.unwrap().unwrap(), "bill");
    assert_eq!(home.last().target, "/v3/billdownload/file?token=t");
}

// 3. Whether an answer may be unsigned is a fact of the operation, stated
// with the request; no path (however crafted) makes a signed one unsigned.
#[tokio::test]
async fn only_operations_that_say_so_take_an_unsigned_answer() {
    let server = TestServer::start().await;
    // An unsigned answer, as an attacker in the path would give it.
    server.reply(Reply::json(200, r#"{"trade_state":"SUCCESS"}"#).signing(Signing::None));
    let client = server.client();
    // Paths that would change on the wire are refused before anything is sent.
    for url in [
        "https://api.mch.weixin.qq.com/v3/billdownload/file/%2e%2e/%2e%2e/pay/transactions/out-trade-no/T1",
        "https://api.mch.weixin.qq.com/v3/billdownload/file/%2E%2E/%2E%2E/pay/transactions/out-trade-no/T1",
        "https://api.mch.weixin.qq.com/v3/billdownload/file/.%2e/.%2E/pay/transactions/out-trade-no/T1",
        "v3/billdownload/file/../../pay/transactions/out-trade-no/T1",
        "v3/billdownload/file/./x",
        "v3/new-tax-control-fapiao/#/download",
    ] {
        assert!(
            DownloadRequest::from_url(url, FileAnswer::Unsigned).is_err(),
            "{url:?} was accepted"
        );
    }
    // Whatever the path, a download whose operation is signed is verified.
    for url in [
        "v3/billdownload/file?token=t",
        "v3/merchant-service/images/ChsyMjAyMzA",
        "v3/pay/transactions/out-trade-no/T1",
    ] {
        let request = DownloadRequest::from_url(url, FileAnswer::Signed).unwrap();
        assert!(
            matches!(
                client.download(&request).await,
                Err(Error::Verification { .. })
            ),
            "{url:?}: an unsigned body was accepted"
        );
    }
    // A JSON call is always verified, a download route included.
    for path in [
        "v3/billdownload/file",
        "v3/new-tax-control-fapiao/merchant/download",
    ] {
        let err = client
            .request(Method::Get, path)
            .send::<serde_json::Value>()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Verification { .. }),
            "{path}: expected a verification error, got {err:?}"
        );
    }
    // A bill's URL must name the bill file route, whose answer WeChat leaves
    // unsigned (its SHA-1 is checked instead): any other route is refused.
    for url in [
        "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T1",
        "v3/billdownload/filex?token=t",
        "v3/billdownload/file/extra?token=t",
    ] {
        let mut bill = bill_for(b"x");
        bill.download_url = url.into();
        let err = client.download_bill(&bill).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{url}: {err:?}");
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn bill_for(content: &[u8]) -> BillInfo {
    BillInfo::new(
        "https://api.mch.weixin.qq.com/v3/billdownload/file?token=xyz",
        wxpay_core::unstable::sha1_hex(content),
    )
    .unwrap()
}

// 4a. A gzip bomb is inflated in bounded chunks.
#[tokio::test]
async fn bill_chunks_stay_small_however_well_the_bill_compresses() {
    let server = TestServer::start().await;
    let content = vec![b'0'; 32 << 20];
    let bomb = gzip(&content);
    assert!(bomb.len() < 100_000);
    let mut reply = Reply::json(200, "").signing(Signing::None);
    reply.body = bomb;
    server.reply(reply);
    let mut bill = server
        .client()
        .download_bill(&bill_for(&content))
        .await
        .unwrap();
    let mut total = 0;
    while let Some(chunk) = bill.chunk().await.unwrap() {
        assert!(
            chunk.len() <= 256 * 1024,
            "a chunk of {} bytes",
            chunk.len()
        );
        total += chunk.len();
    }
    assert_eq!(total, content.len());
}

// 4b. Past the configured inflated size the download stops with a clear
// error and leaves no file behind.
#[tokio::test]
async fn inflated_and_compressed_sizes_are_capped() {
    let server = TestServer::start().await;
    let content = vec![b'0'; 8 << 20];
    let mut reply = Reply::json(200, "").signing(Signing::None);
    reply.body = gzip(&content);
    server.reply(reply);
    let dir = std::env::temp_dir().join(format!("wxpay-bomb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bill.csv");

    let client = server
        .builder()
        .max_inflated_bytes(1 << 20)
        .build()
        .unwrap();
    let err = client
        .download_bill(&bill_for(&content))
        .await
        .unwrap()
        .save_to(&path)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == 1 << 20),
        "{err:?}"
    );
    assert!(err.to_string().contains("1048576"), "{err}");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "a file was left behind"
    );

    // The compressed size is capped too (here below the 60 KiB bomb): up
    // front when the server says how large the body is, else while reading.
    let client = server.builder().max_download_bytes(1024).build().unwrap();
    let err = match client.download_bill(&bill_for(&content)).await {
        Ok(bill) => bill.save_to(&path).await.unwrap_err(),
        Err(e) => e,
    };
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A loopback server that streams `/v3/billdownload/file` slowly.
async fn slow_file_server(pause: Duration) -> String {
    use axum::body::{Body, Bytes};
    let app = axum::Router::new().fallback(move || async move {
        let stream = async_stream(pause);
        axum::response::Response::new(Body::from_stream(stream))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    fn async_stream(
        pause: Duration,
    ) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
        futures_util::stream::unfold(0u8, move |step| async move {
            match step {
                0 => Some((Ok(Bytes::from_static(b"first,")), 1)),
                1 => {
                    tokio::time::sleep(pause).await;
                    Some((Ok(Bytes::from_static(b"second")), 2))
                }
                _ => None,
            }
        })
    }
    format!("http://{addr}/")
}

// 4c. Downloads have their own timeout: a slow bill outlives the request timeout.
#[tokio::test]
async fn downloads_do_not_inherit_the_request_timeout() {
    let base = slow_file_server(Duration::from_millis(1500)).await;
    let server = TestServer::start().await;
    let client = server
        .builder()
        .base_url(&base)
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let content = b"first,second";
    let mut bill = client.download_bill(&bill_for(content)).await.unwrap();
    let mut got = Vec::new();
    while let Some(chunk) = bill.chunk().await.unwrap() {
        got.extend_from_slice(&chunk);
    }
    assert_eq!(got, content);

    // ... and that timeout is enforced.
    let client = server
        .builder()
        .base_url(&base)
        .download_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let mut bill = client.download_bill(&bill_for(content)).await.unwrap();
    let mut result = Ok(None);
    for _ in 0..3 {
        result = bill.chunk().await;
        if !matches!(result, Ok(Some(_))) {
            break;
        }
    }
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
}

// 1b. A certificate refresh that hangs does not hold up other requests of
// a client that has keys already.
#[tokio::test]
async fn a_stuck_certificate_refresh_blocks_no_other_request() {
    let server = TestServer::start().await;
    let release = server.hold("/v3/certificates");
    let key = ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap();
    // Trusts the server's public key already; certificates are managed too.
    let client = server.builder().auto_certificates(key).build().unwrap();
    let refreshing = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .request(Method::Get, "v3/first")
                .send::<serde_json::Value>()
                .await
        })
    };
    // Wait until the refresh is on the wire and stuck there.
    while server.count() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.last().target, "/v3/certificates");
    let other = tokio::time::timeout(
        Duration::from_secs(20),
        client
            .request(Method::Get, "v3/second")
            .send::<serde_json::Value>(),
    )
    .await
    .expect("a request waited for the stuck certificate refresh");
    other.unwrap();
    release.notify_one();
    let _ = refreshing.await.unwrap();
}

fn listing(entries: usize, key: &ApiV3Key, plaintext: &[u8]) -> String {
    let data: Vec<_> = (0..entries)
        .map(|i| {
            serde_json::json!({
                "serial_no": format!("{i:040X}"),
                "effective_time": "2024-01-01T00:00:00+08:00",
                "expire_time": "2029-01-01T00:00:00+08:00",
                "encrypt_certificate": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "nonce": "0123456789ab",
                    "associated_data": "certificate",
                    "ciphertext": key.encrypt(plaintext, "0123456789ab", "certificate").unwrap(),
                }
            })
        })
        .collect();
    serde_json::json!({ "data": data }).to_string()
}

// 5. The listing's signature is checked before anything in it is decrypted.
#[tokio::test]
async fn certificate_listings_are_verified_before_decryption() {
    let server = TestServer::start().await;
    let key = ApiV3Key::new("0123456789abcdef0123456789abcdef").unwrap();
    let truncated = b"-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n";
    server.reply(Reply::json(200, &listing(1, &key, truncated)).signing(Signing::None));
    // The client trusts a key already, so the unsigned listing is refused as such.
    let client = server.client();
    let err = client.refresh_certificates(&key).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::MissingHeader(_),
                ..
            }
        ),
        "{err:?}"
    );

    // On bootstrap (nothing trusted yet) the listing is bounded before decryption.
    let bootstrap = Client::builder()
        .mchid("1900000109")
        .merchant_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
        .private_key(server.merchant.clone())
        .auto_certificates(key.clone())
        .base_url(&server.base_url)
        .build()
        .unwrap();
    server.reply(Reply::json(200, &listing(200, &key, b"x")).signing(Signing::Good));
    let err = bootstrap.refresh_certificates(&key).await.unwrap_err();
    assert!(
        err.to_string().contains("200 certificates"),
        "expected the listing to be refused for its size: {err}"
    );
}

// 7. Headers the SDK owns cannot be added to a dynamic request.
#[tokio::test]
async fn callers_cannot_set_the_headers_the_sdk_owns() {
    let server = TestServer::start().await;
    let client = server.client();
    for name in [
        "Authorization",
        "authorization",
        "Host",
        "Content-Type",
        "Content-Length",
        "Transfer-Encoding",
    ] {
        let err = client
            .request(Method::Post, "v3/x")
            .header(name, "evil")
            .json(serde_json::json!({}))
            .send::<serde_json::Value>()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.to_ascii_lowercase().contains(&name.to_ascii_lowercase())),
            "{name}: {err:?}"
        );
    }
    assert_eq!(server.count(), 0);
    // The caller may still name the key of a field it encrypted itself, once.
    let _: serde_json::Value = client
        .request(Method::Post, "v3/x")
        .header("Wechatpay-Serial", "PUB_KEY_ID_1")
        .json(serde_json::json!({}))
        .send()
        .await
        .unwrap();
    let got = server.last();
    assert_eq!(got.headers.get_all("wechatpay-serial").iter().count(), 1);
    assert_eq!(got.headers.get_all("authorization").iter().count(), 1);
}
