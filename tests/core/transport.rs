//! One transport under both APIs: the same base-URL checks refuse the same
//! URLs, the same options exist, and the same failure is the same error, for
//! an APIv3 `Client` and an APIv2 `V2Client` alike.

use std::time::Duration;

use wxpay_core::v2::{ApiV2Key, V2Client};
use wxpay_core::{Client, Error, Keyring, PrivateKey, RetryPolicy};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn v3(key: &PrivateKey) -> wxpay_core::ClientBuilder {
    Client::builder()
        .mchid("1900000109")
        .merchant_serial("5157F09E")
        .private_key(key.clone())
        .keyring(Keyring::new())
}

fn v2() -> wxpay_core::v2::V2ClientBuilder {
    V2Client::builder()
        .mchid("1900000109")
        .key(ApiV2Key::new(KEY).unwrap())
}

/// Every base URL the transport refuses, with what the message names.
const REFUSED: [(&[&str], &str); 8] = [
    (&["ftp://api.mch.weixin.qq.com/"], "must be http(s)"),
    (&["not a url"], "base URL"),
    (
        &["https://user@api.mch.weixin.qq.com/"],
        "without user info",
    ),
    (
        &["https://user:secret@api.mch.weixin.qq.com/"],
        "without user info",
    ),
    (&["https://api.mch.weixin.qq.com/?a=1"], "query"),
    (&["https://api.mch.weixin.qq.com/#x"], "fragment"),
    (
        &[
            "https://api.mch.weixin.qq.com/a/",
            "https://api2.wechatpay.cn/b/",
        ],
        "different paths",
    ),
    (&[], "empty list"),
];

#[test]
fn both_apis_refuse_the_same_base_urls() {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    assert!(v3(&key).build().is_ok());
    assert!(v2().build().is_ok());
    for (urls, needle) in REFUSED {
        let results = [
            v3(&key).base_urls(urls.iter().copied()).build().map(drop),
            v2().base_urls(urls.iter().copied()).build().map(drop),
        ];
        for (api, result) in ["APIv3", "APIv2"].iter().zip(results) {
            match result {
                Err(Error::Config(message)) => {
                    assert!(message.contains(needle), "{api} {urls:?}: {message}")
                }
                other => panic!("{api} {urls:?}: expected a configuration error, got {other:?}"),
            }
        }
    }
    // The secret of a URL with a password never reaches the message.
    let message = v2()
        .base_url("https://user:secret@api.mch.weixin.qq.com/")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("without user") && !message.contains("secret"),
        "{message}"
    );
}

#[test]
fn both_apis_take_the_same_transport_options() {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    macro_rules! configure {
        ($builder:expr) => {
            $builder
                .base_urls([
                    "https://api.mch.weixin.qq.com/",
                    "https://api2.wechatpay.cn/",
                ])
                .retry(RetryPolicy::new(2))
                .proxy(reqwest::Proxy::all("http://127.0.0.1:9").unwrap())
                .no_proxy()
                .timeout(Duration::from_secs(5))
                .connect_timeout(Duration::from_secs(1))
                .user_agent("shop/1.0")
                .max_response_bytes(1 << 20)
                .download_timeout(Duration::from_secs(60))
                .max_download_bytes(1 << 30)
                .max_inflated_bytes(1 << 31)
        };
    }
    assert!(configure!(v3(&key)).build().is_ok());
    assert!(configure!(v2()).build().is_ok());
    assert!(configure!(v3(&key))
        .http_client(http.clone())
        .build()
        .is_ok());
    assert!(configure!(v2()).http_client(http).build().is_ok());
    // A bad TLS root fails at build, for both.
    for result in [
        v3(&key).tls_root_certificate_pem(b"junk").build().map(drop),
        v2().tls_root_certificate_pem(b"junk").build().map(drop),
    ] {
        assert!(
            matches!(&result, Err(Error::Config(m)) if m.contains("TLS root")),
            "{result:?}"
        );
    }
}

/// A closed port on loopback: connecting fails at once, nothing is sent.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/")
}

/// A server that never answers: a request to it times out.
async fn silent_port() -> (String, tokio::net::TcpListener) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    (base, listener)
}

/// A server answering every request with an unsigned 502 from a gateway.
async fn gateway_error() -> String {
    let app = axum::Router::new().fallback(|| async {
        (
            http::StatusCode::BAD_GATEWAY,
            "<html>502 Bad Gateway</html>",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn the_same_failure_is_the_same_error_on_both_apis() {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let once = RetryPolicy::never();
    let send_v3 = |base: String, timeout: Duration| {
        let client = v3(&key)
            .base_url(base)
            .retry(once.clone())
            .timeout(timeout)
            .build()
            .unwrap();
        async move {
            client
                .request(wxpay_core::Method::Get, "v3/pay/transactions/id/1")
                .send::<serde_json::Value>()
                .await
                .unwrap_err()
        }
    };
    let send_v2 = |base: String, timeout: Duration| {
        let client = v2()
            .base_url(base)
            .retry(once.clone())
            .timeout(timeout)
            .build()
            .unwrap();
        async move { client.call("pay/orderquery").send().await.unwrap_err() }
    };
    let long = Duration::from_secs(10);

    // Nothing listens: a transport error.
    for err in [
        send_v3(closed_port().await, long).await,
        send_v2(closed_port().await, long).await,
    ] {
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
    }
    // Nothing answers in time: a timeout.
    let (base3, _keep3) = silent_port().await;
    let (base2, _keep2) = silent_port().await;
    let short = Duration::from_millis(300);
    for err in [send_v3(base3, short).await, send_v2(base2, short).await] {
        assert!(matches!(err, Error::Timeout), "{err:?}");
    }
    // A gateway's unsigned 502: an API error marked unsigned, with the page's start.
    for err in [
        send_v3(gateway_error().await, long).await,
        send_v2(gateway_error().await, long).await,
    ] {
        let api = err.as_api().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!((api.status, api.signature_verified), (502, false));
        assert!(api.message.contains("Bad Gateway"), "{api:?}");
        assert!(err.to_string().contains("[unsigned]"), "{err}");
    }
}
