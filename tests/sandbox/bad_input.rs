//! Bad input, correctly signed so it passes verification: each gets a
//! WeChat-shaped 4xx, the server keeps serving and loses no state.

use std::time::Duration;

use serde_json::json;
use wxpay_sandbox::{KeyMode, Sandbox, DEFAULT_MAX_BODY_BYTES};

use crate::support::*;

const PATH: &str = "/v3/ecommerce/profitsharing/after-sales-orders";

#[tokio::test]
async fn bad_bodies_get_param_errors_and_state_survives() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    let addr = sandbox.local_addr();
    let merchant = sandbox.merchant();
    post(&client, AFTER_SALES, &after_sales("T-keep", 42))
        .await
        .unwrap();

    let oversized = {
        let mut body = serde_json::to_vec(&after_sales("T-big", 1)).unwrap();
        body.pop();
        body.extend_from_slice(b",\"padding\":\"");
        body.resize(DEFAULT_MAX_BODY_BYTES + 512 * 1024, b'x');
        body.extend_from_slice(b"\"}");
        body
    };
    let cases: Vec<(&str, Option<&str>, Vec<u8>, &str)> = vec![
        (
            "malformed JSON",
            Some("application/json"),
            b"{\"sub_mchid\": \"1900000109\",".to_vec(),
            "JSON",
        ),
        (
            "non-UTF-8",
            Some("application/json"),
            b"{\"description\": \"\xff\xfe\"}".to_vec(),
            "UTF-8",
        ),
        (
            "not an object",
            Some("application/json"),
            b"[1, 2, 3]".to_vec(),
            "object",
        ),
        ("empty body", Some("application/json"), Vec::new(), "JSON"),
        (
            "missing fields",
            Some("application/json"),
            b"{}".to_vec(),
            "missing required field",
        ),
        (
            "wrong content type",
            Some("text/plain"),
            serde_json::to_vec(&after_sales("T-ct", 1)).unwrap(),
            "Content-Type",
        ),
        (
            "no content type",
            None,
            serde_json::to_vec(&after_sales("T-ct", 1)).unwrap(),
            "Content-Type",
        ),
        ("oversized", Some("application/json"), oversized, "limit"),
    ];
    for (what, content_type, body, needle) in cases {
        let request = signed_request(
            &Signing::honest(merchant),
            "POST",
            PATH,
            content_type,
            &body,
            &[],
        );
        let message = raw(addr, request)
            .await
            .expect_error(&sandbox, 400, "PARAM_ERROR")
            .await;
        assert!(message.contains(needle), "{what}: {message}");
    }
    // A charset parameter is fine.
    let body = serde_json::to_vec(&after_sales("T-charset", 3)).unwrap();
    let request = signed_request(
        &Signing::honest(merchant),
        "POST",
        PATH,
        Some("application/json; charset=utf-8"),
        &body,
        &[],
    );
    assert_eq!(raw(addr, request).await.status, 200);

    // Nothing refused was stored, and what was there still is.
    let query = [("sub_mchid", SUB_MCHID), ("transaction_id", "T-keep")];
    assert_eq!(
        get(&client, AFTER_SALES, &query).await.unwrap()["amount"],
        42
    );
    for refused in ["T-big", "T-ct"] {
        expect_api(
            get(
                &client,
                AFTER_SALES,
                &[("sub_mchid", SUB_MCHID), ("transaction_id", refused)],
            )
            .await,
            404,
            "RESOURCE_NOT_EXISTS",
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_body_cap_is_configurable_and_huge_declared_bodies_are_refused_at_once() {
    let sandbox = Sandbox::builder().max_body_bytes(64).start().await.unwrap();
    let client = client(&sandbox);
    let e = expect_api(
        post(&client, AFTER_SALES, &after_sales("T-cap", 1)).await,
        400,
        "PARAM_ERROR",
    );
    assert!(e.message.contains("64"), "{}", e.message);

    // A body announced at 100 MiB is refused without waiting for it.
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{",
        100 * 1024 * 1024
    );
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        raw(sandbox.local_addr(), request.into_bytes()),
    )
    .await
    .expect("answered without the body");
    let message = answer.expect_error(&sandbox, 400, "PARAM_ERROR").await;
    assert!(message.contains("limit"), "{message}");
    // Small requests still pass.
    assert_eq!(
        get(&client, "v3/certificates", &[]).await.unwrap()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_stop_the_server() {
    let sandbox = start(KeyMode::PublicKey).await;
    let client = client(&sandbox);
    post_advance(&client, "5000030", &json!({"sub_mchid": SUB_MCHID}))
        .await
        .unwrap();
    for garbage in [
        &b"NOT HTTP AT ALL\r\n\r\n"[..],
        b"GET /v3/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        b"",
    ] {
        // hyper answers (or closes) on its own; whatever it does, it is bounded.
        let _ = tokio::time::timeout(
            Duration::from_secs(15),
            raw_exchange(sandbox.local_addr(), garbage.to_vec()),
        )
        .await;
    }
    // Query strings that do not decode to UTF-8 are a PARAM_ERROR.
    let target = "/v3/ecommerce/refunds/5000030/return-advance?sub_mchid=%FF";
    let answer = raw(
        sandbox.local_addr(),
        signed_request(
            &Signing::honest(sandbox.merchant()),
            "GET",
            target,
            None,
            b"",
            &[],
        ),
    )
    .await;
    answer.expect_error(&sandbox, 400, "PARAM_ERROR").await;
    assert_eq!(
        get_advance(&client, "5000030", SUB_MCHID).await.unwrap()["result"],
        "SUCCESS"
    );
    sandbox.shutdown().await;
}
