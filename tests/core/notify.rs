//! Callbacks: verified over the raw body, inside the 300 s window, then decrypted.

use base64::Engine;
use http::HeaderMap;
use wxpay_core::notify::Notifier;
use wxpay_core::verify::response_message;
use wxpay_core::{ApiV3Key, CryptoError, Error, Keyring, Origin, PrivateKey, VerifyError};

pub(crate) const APIV3: &str = "0123456789abcdefghijklmnopqrstuv";
const SERIAL: &str = "PUB_KEY_ID_0100000000000000000000000001";

/// WeChat Pay's side of a notification: a platform key that signs, and the
/// keyring that trusts it.
pub(crate) struct Wechat {
    platform: PrivateKey,
    keyring: Keyring,
}

impl Wechat {
    pub(crate) fn new() -> Self {
        let platform = wxpay_core::unstable::generate_private_key().unwrap();
        let keyring = Keyring::new();
        keyring
            .add_public_key(SERIAL, platform.public_key().clone())
            .unwrap();
        Self { platform, keyring }
    }

    fn body(&self, resource_json: &str, key: &str, algorithm: &str) -> Vec<u8> {
        self.envelope("TRANSACTION.SUCCESS", resource_json, key, algorithm)
    }

    /// A notification of `event_type` whose resource is `resource_json`.
    pub(crate) fn envelope(
        &self,
        event_type: &str,
        resource_json: &str,
        key: &str,
        algorithm: &str,
    ) -> Vec<u8> {
        let key = ApiV3Key::new(key).unwrap();
        let ciphertext = key
            .encrypt(resource_json.as_bytes(), "fdasflkja484", "transaction")
            .unwrap();
        serde_json::json!({
            "id": "EV-2018022511223320873",
            "create_time": "2015-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": algorithm,
                "ciphertext": ciphertext,
                "associated_data": "transaction",
                "nonce": "fdasflkja484"
            }
        })
        .to_string()
        .into_bytes()
    }

    pub(crate) fn headers(&self, body: &[u8], timestamp: i64, uppercase: bool) -> HeaderMap {
        self.headers_full(body, timestamp, uppercase, "fdasfwerewrsdfa")
    }

    fn headers_with_nonce(&self, body: &[u8], timestamp: i64, nonce: &str) -> HeaderMap {
        self.headers_full(body, timestamp, false, nonce)
    }

    fn headers_full(&self, body: &[u8], timestamp: i64, uppercase: bool, nonce: &str) -> HeaderMap {
        let ts = timestamp.to_string();
        let signature = base64::engine::general_purpose::STANDARD.encode(
            self.platform
                .sign_sha256(&response_message(&ts, nonce, body))
                .unwrap(),
        );
        let mut h = HeaderMap::new();
        let name = |n: &str| -> http::HeaderName {
            let n = if uppercase {
                n.to_uppercase()
            } else {
                n.to_lowercase()
            };
            n.parse().unwrap()
        };
        h.insert(name("Wechatpay-Serial"), SERIAL.parse().unwrap());
        h.insert(name("Wechatpay-Timestamp"), ts.parse().unwrap());
        h.insert(name("Wechatpay-Nonce"), nonce.parse().unwrap());
        h.insert(name("Wechatpay-Signature"), signature.parse().unwrap());
        h
    }

    pub(crate) fn notifier(&self) -> Notifier {
        Notifier::new(self.keyring.clone(), ApiV3Key::new(APIV3).unwrap())
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

const TRANSACTION: &str = r#"{"mchid":"1900000109","out_trade_no":"1217752501201407033233368018","transaction_id":"4200000000000000000000000000","trade_state":"SUCCESS","amount":{"total":100,"currency":"CNY"}}"#;

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Amount {
    total: i64,
    currency: String,
}

#[derive(Debug, serde::Deserialize)]
struct Transaction {
    out_trade_no: String,
    trade_state: String,
    amount: Amount,
}

#[tokio::test]
async fn a_signed_callback_verifies_and_decrypts() {
    let wechat = Wechat::new();
    let body = wechat.body(TRANSACTION, APIV3, "AEAD_AES_256_GCM");
    for uppercase in [false, true] {
        let n = wechat
            .notifier()
            .parse::<Transaction>(&wechat.headers(&body, now(), uppercase), &body)
            .await
            .unwrap();
        assert_eq!(n.event_type(), "TRANSACTION.SUCCESS");
        assert_eq!(n.envelope.id, "EV-2018022511223320873");
        assert_eq!(n.resource.out_trade_no, "1217752501201407033233368018");
        assert_eq!(n.resource.trade_state, "SUCCESS");
        assert_eq!(
            n.resource.amount,
            Amount {
                total: 100,
                currency: "CNY".into()
            }
        );
    }
    let request = http::Request::builder()
        .method("POST")
        .body(bytes::Bytes::from(body.clone()))
        .unwrap();
    let (mut parts, b) = request.into_parts();
    parts.headers = wechat.headers(&body, now(), false);
    let n: wxpay_core::notify::Notification = wechat
        .notifier()
        .parse_request(&http::Request::from_parts(parts, b))
        .await
        .unwrap();
    assert_eq!(n.resource["amount"]["total"], 100);
}

#[tokio::test]
async fn tampered_stale_and_foreign_callbacks_are_refused() {
    let wechat = Wechat::new();
    let body = wechat.body(TRANSACTION, APIV3, "AEAD_AES_256_GCM");
    let headers = wechat.headers(&body, now(), false);

    // One byte changed after signing (re-serialising would do the same).
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'2').unwrap();
    tampered[at] = b'3';
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&headers, &tampered)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            }
        ),
        "{err:?}"
    );

    let stale = wechat.headers(&body, now() - 301, false);
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&stale, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::TimestampSkew { .. },
                ..
            }
        ),
        "{err:?}"
    );

    let stranger = Wechat::new();
    let err = stranger
        .notifier()
        .parse::<serde_json::Value>(&headers, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::BadSignature,
                ..
            }
        ),
        "{err:?}"
    );

    let mut no_sig = headers.clone();
    no_sig.remove("wechatpay-signature");
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&no_sig, &body)
        .await
        .unwrap_err();
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
}

#[tokio::test]
async fn wrong_apiv3_key_truncated_ciphertext_and_bad_algorithm_are_typed_errors() {
    let wechat = Wechat::new();
    let body = wechat.body(
        TRANSACTION,
        "fedcba9876543210fedcba9876543210",
        "AEAD_AES_256_GCM",
    );
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Crypto {
                reason: CryptoError::AeadAuthentication,
                ..
            }
        ),
        "{err:?}"
    );

    let mut envelope: serde_json::Value =
        serde_json::from_slice(&wechat.body(TRANSACTION, APIV3, "AEAD_AES_256_GCM")).unwrap();
    envelope["resource"]["ciphertext"] = "AAECAwQFBgc=".into();
    let body = envelope.to_string().into_bytes();
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Crypto {
                reason: CryptoError::Truncated(8),
                ..
            }
        ),
        "{err:?}"
    );

    let body = wechat.body(TRANSACTION, APIV3, "AEAD_CHACHA20_POLY1305");
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Decode { ref message, .. } if message.contains("AEAD_CHACHA20_POLY1305")),
        "{err:?}"
    );

    let body = b"{not json".to_vec();
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

/// Issue 21, item 3: what `{e}` prints for a failed callback says it was a
/// callback, why it failed, and what to fix.
#[tokio::test]
async fn callback_errors_say_what_failed_why_and_what_to_fix() {
    let wechat = Wechat::new();

    // The wrong APIv3 key: named as the likely cause.
    let body = wechat.body(
        TRANSACTION,
        "fedcba9876543210fedcba9876543210",
        "AEAD_AES_256_GCM",
    );
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&wechat.headers(&body, now(), false), &body)
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("callback's resource"), "{shown}");
    assert!(
        shown.contains("the APIv3 key is most likely wrong"),
        "{shown}"
    );
    assert!(!shown.contains("crypto error"), "{shown}");

    // A body re-serialised by a web framework (same JSON, other bytes).
    let body = wechat.body(TRANSACTION, APIV3, "AEAD_AES_256_GCM");
    let headers = wechat.headers(&body, now(), false);
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let reserialised = serde_json::to_vec_pretty(&value).unwrap();
    let err = wechat
        .notifier()
        .parse::<serde_json::Value>(&headers, &reserialised)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::BadSignature,
                origin: Origin::Callback,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with("the callback failed signature verification"),
        "{shown}"
    );
    assert!(
        shown.contains("raw body bytes exactly as received"),
        "{shown}"
    );
    assert!(!shown.contains("answer"), "{shown}");

    // A resource decoded into the wrong type: the callback, its event and
    // the type are named; no HTTP status, no empty excerpt, no plaintext.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct RefundResource {
        out_refund_no: String,
    }
    let err = wechat
        .notifier()
        .parse::<RefundResource>(&headers, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                origin: Origin::Callback,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = err.to_string();
    for part in [
        "cannot decode the callback",
        "TRANSACTION.SUCCESS (id EV-2018022511223320873)",
        "RefundResource",
        "missing field `out_refund_no`",
    ] {
        assert!(shown.contains(part), "{part:?} not in {shown}");
    }
    for wrong in [
        "HTTP",
        "response",
        "body starts",
        "1217752501201407033233368018",
    ] {
        assert!(!shown.contains(wrong), "{wrong:?} in {shown}");
    }

    // Too large: the callback's limit and where to set it.
    let err = wechat
        .notifier()
        .with_max_body_bytes(10)
        .parse::<serde_json::Value>(&headers, &body)
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with("the callback's body exceeds the limit of 10 bytes"),
        "{shown}"
    );
    assert!(shown.contains("Notifier::with_max_body_bytes"), "{shown}");
}

#[test]
fn answers_are_what_wechat_expects() {
    let ok = Notifier::success();
    assert_eq!(ok.status(), 204);
    assert!(ok.body().is_empty());
    let fail = Notifier::failure("database down");
    assert_eq!(fail.status(), 500);
    let body: serde_json::Value = serde_json::from_slice(fail.body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": "FAIL", "message": "database down"})
    );
}

// Issue 9, item 8: an optional replay guard and a body-size limit.
#[tokio::test]
async fn the_replay_guard_refuses_a_delivery_seen_before() {
    let wechat = Wechat::new();
    let body = wechat.body(TRANSACTION, APIV3, "AEAD_AES_256_GCM");
    let headers = wechat.headers(&body, now(), false);
    let guarded = wechat.notifier().with_replay_guard(16);
    guarded.parse::<Transaction>(&headers, &body).await.unwrap();
    let err = guarded
        .parse::<Transaction>(&headers, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::Replayed,
                ..
            }
        ),
        "{err:?}"
    );
    // Clones share the guard (a handler's state is usually cloned per request).
    assert!(guarded
        .clone()
        .parse::<Transaction>(&headers, &body)
        .await
        .is_err());
    // WeChat's own retry of the same notification is signed afresh: accepted.
    let retry = wechat.headers_with_nonce(&body, now(), "anothernonce123");
    guarded.parse::<Transaction>(&retry, &body).await.unwrap();
    // Without the guard, nothing is remembered.
    let plain = wechat.notifier();
    plain.parse::<Transaction>(&headers, &body).await.unwrap();
    plain.parse::<Transaction>(&headers, &body).await.unwrap();

    // The guard is bounded: past its capacity the oldest entries go, and a
    // full guard of live entries refuses rather than forgetting them.
    let small = wechat.notifier().with_replay_guard(2);
    for i in 0..2 {
        let h = wechat.headers_with_nonce(&body, now(), &format!("nonce{i:011}"));
        small.parse::<Transaction>(&h, &body).await.unwrap();
    }
    let h = wechat.headers_with_nonce(&body, now(), "nonce99999999");
    let err = small.parse::<Transaction>(&h, &body).await.unwrap_err();
    assert!(err.to_string().contains("replay guard is full"), "{err:?}");
}

#[tokio::test]
async fn callback_bodies_are_limited_in_size() {
    let wechat = Wechat::new();
    let body = wechat.body(TRANSACTION, APIV3, "AEAD_AES_256_GCM");
    let headers = wechat.headers(&body, now(), false);
    let limited = wechat.notifier().with_max_body_bytes(body.len() - 1);
    let err = limited
        .parse::<Transaction>(&headers, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == body.len() - 1),
        "{err:?}"
    );
    wechat
        .notifier()
        .with_max_body_bytes(body.len())
        .parse::<Transaction>(&headers, &body)
        .await
        .unwrap();
    // The default refuses anything over 1 MiB.
    let huge = vec![b' '; (1 << 20) + 1];
    let err = wechat
        .notifier()
        .parse::<Transaction>(&wechat.headers(&huge, now(), false), &huge)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}
