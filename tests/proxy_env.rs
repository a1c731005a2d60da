//! A proxy in the environment is never used for loopback base URLs (issue
//! 10): before, `HTTP_PROXY` silently broke every request to the sandbox.
//! Its own test binary, since it changes the process environment.

use serde_json::Value;
use wxpay_core::Method;
use wxpay_sandbox::{KeyMode, Sandbox};

#[tokio::test]
async fn environment_proxies_are_not_used_for_loopback() {
    // Nothing listens on port 9 (discard): a request sent there fails.
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        // SAFETY (2024 edition terms): this binary's only test, before any
        // thread that reads the environment has started.
        std::env::set_var(name, "http://127.0.0.1:9");
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let sandbox = Sandbox::builder()
        .key_mode(KeyMode::PublicKey)
        .start()
        .await
        .unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let err = client
        .request(Method::Get, "v3/nothing-here")
        .send::<Value>()
        .await
        .unwrap_err();
    // The sandbox's own signed 404, not a failure to reach the proxy.
    let api = err.as_api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.status, 404);
    assert!(api.signature_verified);
    sandbox.shutdown().await;
}
