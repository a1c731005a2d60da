//! Every fault becomes the right typed error on the client — never a panic,
//! never an accepted tampered body — and the sandbox keeps serving afterwards.

use std::time::Duration;

use serde_json::{json, Value};
use wxpay_core::verify::MAX_CLOCK_SKEW_SECS;
use wxpay_core::{Client, Error, Method, VerifyError, PUBLIC_KEY_ID_PREFIX};
use wxpay_sandbox::{Fault, KeyMode, Sandbox, FAULT_HEADER};

use crate::support::*;

/// A request that creates state (an after-sales split of `transaction_id`,
/// a seed operation), so a fault's effect on it can be checked.
async fn create(client: &Client, transaction_id: &str) -> Result<Value, Error> {
    post(client, AFTER_SALES, &after_sales(transaction_id, 10)).await
}

/// The amount of the split `create` made.
async fn created_amount(client: &Client, transaction_id: &str) -> Value {
    let query = [("sub_mchid", SUB_MCHID), ("transaction_id", transaction_id)];
    get(client, AFTER_SALES, &query).await.unwrap()["amount"].clone()
}

/// The sandbox answers normally again (the fault was one-shot or cleared):
/// a split never made is a signed 404.
async fn still_serves(client: &Client) {
    let never_made = [("sub_mchid", SUB_MCHID), ("transaction_id", "T-never")];
    let answer = get(client, AFTER_SALES, &never_made).await;
    expect_api(answer, 404, "RESOURCE_NOT_EXISTS");
}

fn transport(result: Result<Value, Error>) {
    match result {
        Err(Error::Transport(_)) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn delay_longer_than_the_client_timeout_is_a_timeout() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    sandbox.inject(Fault::Delay(Duration::from_secs(3)));
    match create(&client, "T-delay").await {
        Err(Error::Timeout) => {}
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    still_serves(&client).await;
    // A delay shorter than the timeout is only slow.
    sandbox.inject(Fault::Delay(Duration::from_millis(50)));
    assert_eq!(create(&client, "T-delay-2").await.unwrap()["amount"], 10);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn server_error_is_a_signed_500_system_error() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    sandbox.inject(Fault::ServerError);
    expect_api(create(&client, "T-5xx").await, 500, "SYSTEM_ERROR");
    still_serves(&client).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn connection_reset_and_truncated_body_are_transport_errors() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    for fault in [Fault::ConnectionReset, Fault::TruncatedBody] {
        // Warm the pool first so the fault hits a reused connection as well.
        still_serves(&client).await;
        sandbox.inject(fault);
        transport(create(&client, &format!("T-{fault}")).await);
        still_serves(&client).await;
        // The request was handled before its answer was lost: query before retrying.
        assert_eq!(created_amount(&client, &format!("T-{fault}")).await, 10);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn truncated_body_announces_more_than_it_sends_and_reset_sends_nothing() {
    let sandbox = start(KeyMode::Certificate).await;
    let merchant = sandbox.merchant();
    let request = |fault: &str| {
        signed_request(
            &Signing::honest(merchant),
            "GET",
            "/v3/certificates",
            None,
            b"",
            &[(FAULT_HEADER, fault)],
        )
    };
    match raw_exchange(sandbox.local_addr(), request("truncated-body")).await {
        RawOutcome::Cut { received, .. } => {
            let text = String::from_utf8_lossy(&received);
            let (head, body) = text.split_once("\r\n\r\n").expect("headers were sent");
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("Content-Length");
            assert!(
                !body.is_empty() && body.len() < length,
                "sent {} of {length}",
                body.len()
            );
        }
        RawOutcome::Answered(r) => panic!("a complete answer: {r:?}"),
    }
    match raw_exchange(sandbox.local_addr(), request("connection-reset")).await {
        RawOutcome::Cut { received, error } => {
            assert!(
                received.is_empty(),
                "{:?}",
                String::from_utf8_lossy(&received)
            );
            assert!(
                matches!(error, None | Some(std::io::ErrorKind::ConnectionReset)),
                "{error:?}"
            );
        }
        RawOutcome::Answered(r) => panic!("an answer: {r:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn tampered_body_is_never_accepted() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let sandbox = start(mode).await;
        let client = client(&sandbox);
        sandbox.inject(Fault::TamperedBody);
        assert_eq!(
            expect_verification(create(&client, "T-tamper").await),
            VerifyError::BadSignature
        );
        // The order holds the amount that was asked for, not the tampered one.
        assert_eq!(created_amount(&client, "T-tamper").await, 10);
        // Error answers are verified too: a tampered 404 is not a 404.
        sandbox.inject(Fault::TamperedBody);
        assert_eq!(
            expect_verification(get(&client, "v3/nowhere", &[]).await),
            VerifyError::BadSignature
        );
        still_serves(&client).await;
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn wrong_signature_unknown_serial_stale_timestamp_and_missing_headers() {
    for mode in [KeyMode::Certificate, KeyMode::PublicKey] {
        let sandbox = start(mode).await;
        let client = client(&sandbox);

        sandbox.inject(Fault::WrongSignature);
        assert_eq!(
            expect_verification(create(&client, "T-1").await),
            VerifyError::BadSignature
        );

        sandbox.inject(Fault::UnknownSerial);
        match expect_verification(create(&client, "T-2").await) {
            VerifyError::UnknownSerial(serial) => {
                assert_ne!(serial, sandbox.platform_serial());
                assert_eq!(
                    serial.starts_with(PUBLIC_KEY_ID_PREFIX),
                    mode == KeyMode::PublicKey,
                    "{serial}"
                );
            }
            other => panic!("expected UnknownSerial, got {other:?}"),
        }

        sandbox.inject(Fault::StaleTimestamp);
        match expect_verification(create(&client, "T-3").await) {
            VerifyError::TimestampSkew { skew, allowed, .. } => {
                assert_eq!(allowed, MAX_CLOCK_SKEW_SECS);
                assert!((600..=630).contains(&skew), "{skew}");
            }
            other => panic!("expected TimestampSkew, got {other:?}"),
        }

        sandbox.inject(Fault::MissingHeaders);
        match expect_verification(create(&client, "T-4").await) {
            VerifyError::MissingHeader(name) => assert!(name.starts_with("Wechatpay-"), "{name}"),
            other => panic!("expected MissingHeader, got {other:?}"),
        }
        still_serves(&client).await;
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn redirect_is_an_unexpected_status_and_is_not_followed() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = client(&sandbox);
    sandbox.inject(Fault::Redirect);
    match create(&client, "T-redirect").await {
        Err(Error::UnexpectedStatus {
            status: 302,
            request_id,
        }) => assert!(request_id.is_some()),
        other => panic!("expected UnexpectedStatus 302, got {other:?}"),
    }
    // The raw answer points back at the same target.
    let target = "/v3/certificates?algorithm_type=RSA";
    let request = signed_request(
        &Signing::honest(sandbox.merchant()),
        "GET",
        target,
        None,
        b"",
        &[(FAULT_HEADER, "redirect")],
    );
    let answer = raw(sandbox.local_addr(), request).await;
    assert_eq!(answer.status, 302);
    assert_eq!(answer.headers["location"], target);
    answer.verify(&sandbox).await.unwrap();
    still_serves(&client).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn faults_can_be_chosen_per_request_by_header() {
    let sandbox = start(KeyMode::PublicKey).await;
    let client = client(&sandbox);
    let with_fault = |fault: &'static str| {
        client
            .request(Method::Post, AFTER_SALES)
            .header(FAULT_HEADER, fault)
            .json(after_sales("T-header", 10))
            .send::<Value>()
    };
    assert_eq!(
        expect_verification(with_fault("tampered-body").await),
        VerifyError::BadSignature
    );
    expect_api(with_fault("server-error").await, 500, "SYSTEM_ERROR");
    assert!(matches!(
        with_fault("redirect").await,
        Err(Error::UnexpectedStatus { status: 302, .. })
    ));
    let slow = sandbox
        .client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let delayed = slow
        .request(Method::Get, "v3/certificates")
        .header(FAULT_HEADER, "delay=2000")
        .send::<Value>()
        .await;
    assert!(matches!(delayed, Err(Error::Timeout)), "{delayed:?}");
    // The header wins over nothing armed, and applies to that request only.
    assert_eq!(
        post(&client, AFTER_SALES, &after_sales("T-header", 10))
            .await
            .unwrap()["amount"],
        10
    );
    let e = expect_api(with_fault("slow-please").await, 400, "PARAM_ERROR");
    assert!(e.message.contains(FAULT_HEADER), "{}", e.message);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_per_run_fault_applies_until_cleared() {
    let sandbox = Sandbox::builder()
        .fault(Fault::WrongSignature)
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    for _ in 0..2 {
        assert_eq!(
            expect_verification(get(&client, "v3/certificates", &[]).await),
            VerifyError::BadSignature
        );
    }
    sandbox.set_fault(Some(Fault::ServerError));
    // One-shot faults go first, then the per-run fault again.
    sandbox.inject(Fault::Redirect);
    assert!(matches!(
        get(&client, "v3/certificates", &[]).await,
        Err(Error::UnexpectedStatus { status: 302, .. })
    ));
    expect_api(
        get(&client, "v3/certificates", &[]).await,
        500,
        "SYSTEM_ERROR",
    );
    expect_api(
        get(&client, "v3/certificates", &[]).await,
        500,
        "SYSTEM_ERROR",
    );
    sandbox.set_fault(None);
    let answer = get(&client, "v3/certificates", &[]).await.unwrap();
    assert_eq!(answer["data"][0]["serial_no"], sandbox.platform_serial());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_fault_leaves_the_sandbox_serving() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    for fault in Fault::ALL {
        let fault = match fault {
            Fault::Delay(_) => Fault::Delay(Duration::from_secs(2)),
            other => other,
        };
        sandbox.inject(fault);
        let result = post_advance(&client, "5000020", &json!({"sub_mchid": SUB_MCHID})).await;
        assert!(
            result.is_err(),
            "{fault} must fail the call, got {result:?}"
        );
        still_serves(&client).await;
    }
    sandbox.shutdown().await;
}
