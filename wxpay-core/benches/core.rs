//! What one WeChat Pay request costs the SDK, piece by piece: signing the
//! request, verifying the response, a callback, a sensitive field, and the
//! encoding `#[wxpay_api]` generates.
//!
//! The crypto backend is chosen at compile time, so run this twice and the
//! group names (`sign/aws-lc-rs`, `sign/rust-crypto`, ...) keep the results apart:
//!
//! ```text
//! cargo bench -p wxpay-core --bench core
//! cargo bench -p wxpay-core --bench core --features rust-crypto
//! ```
//!
//! Times are this thread's CPU time (see `support/cpu.rs`), so a busy
//! neighbour does not show up as a slower SDK; `WXPAY_BENCH_CLOCK=wall`
//! measures wall-clock time instead. Keys are generated at start; nothing
//! secret is read from or written to disk.

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use http::{HeaderMap, HeaderValue};
use wxpay_core::crypto::BACKEND;
use wxpay_core::notify::Notifier;
use wxpay_core::sign::{authorize, request_message, SignInput, AUTH_SCHEME};
use wxpay_core::unstable::random_alphanumeric;
use wxpay_core::verify::{self, headers, response_message};
use wxpay_core::{wxpay_api, ApiV3Key, EncodedRequest, Keyring, PrivateKey, PublicKey};

#[path = "support/cpu.rs"]
mod cpu;

const MCHID: &str = "1900009191";
const MERCHANT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0119000091912025010100000000000000";
const APIV3_KEY: &str = "0123456789abcdefghijABCDEFGHIJ01";
const REFUND_ID: &str = "50000000382019052709732678859";
const SUB_MCHID: &str = "1900000109";
/// The `resource` of the benchmarked callback decrypts to exactly this many bytes.
const CALLBACK_RESOURCE_BYTES: usize = 1024;

// The seed operations' shapes, declared here because wxpay-apis depends on
// wxpay-core (a dev-dependency back would be a cycle). Same templates and
// fields as `wxpay_apis::ecommerce::{refunds::return_advance::ReturnAdvanceRequest,
// profitsharing::returnorders::QueryReturnOrderRequest}`.

/// 垫付退款回补: a path parameter and a JSON body.
#[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = serde_json::Value)]
pub struct ReturnAdvanceRequest<'a> {
    pub refund_id: &'a str,
    pub sub_mchid: &'a str,
}

/// 查询分账回退结果: a query string with optional fields.
#[wxpay_api(GET, "v3/ecommerce/profitsharing/returnorders", response = serde_json::Value)]
pub struct QueryReturnOrderRequest<'a> {
    pub sub_mchid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_order_no: Option<&'a str>,
    pub out_return_no: &'a str,
}

/// The signer and verifier futures of an in-memory key are ready at once:
/// poll once rather than measure an async runtime.
fn now_ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("an in-memory signer or verifier returned Pending"),
    }
}

/// What the benchmarks time: this thread's CPU time, or wall-clock time where
/// there is no such clock or `WXPAY_BENCH_CLOCK=wall` asks for it.
struct Clock {
    cpu: bool,
    epoch: Instant,
    wall: WallTime,
}

impl Clock {
    fn from_env() -> Self {
        let wall_asked = std::env::var("WXPAY_BENCH_CLOCK").is_ok_and(|v| v == "wall");
        Self {
            cpu: !wall_asked && cpu::thread_cpu_time().is_some(),
            epoch: Instant::now(),
            wall: WallTime,
        }
    }

    fn name(&self) -> &'static str {
        if self.cpu {
            "thread CPU time"
        } else {
            "wall-clock time"
        }
    }

    fn now(&self) -> Duration {
        match self.cpu {
            true => cpu::thread_cpu_time().unwrap_or_default(),
            false => self.epoch.elapsed(),
        }
    }
}

impl Measurement for Clock {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        self.now()
    }
    fn end(&self, start: Duration) -> Duration {
        self.now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

type Bench = Criterion<Clock>;

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The merchant's key, WeChat's (platform) key, and what trusts the latter.
struct Keys {
    merchant: PrivateKey,
    platform: PrivateKey,
    keyring: Keyring,
}

impl Keys {
    fn generate() -> Self {
        let merchant = wxpay_core::unstable::generate_private_key().expect("merchant key");
        let platform = wxpay_core::unstable::generate_private_key().expect("platform key");
        let keyring = Keyring::new();
        keyring
            .add_public_key(PUBLIC_KEY_ID, platform.public_key().clone())
            .expect("public key id");
        Self {
            merchant,
            platform,
            keyring,
        }
    }

    /// The headers WeChat Pay sends with `body`, signed now by the platform key.
    fn signed_headers(&self, body: &[u8]) -> HeaderMap {
        let timestamp = unix_now().to_string();
        let nonce = random_alphanumeric(32).expect("nonce");
        let signature = self
            .platform
            .sign_sha256(&response_message(&timestamp, &nonce, body))
            .expect("sign");
        let mut map = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            map.insert(name, HeaderValue::from_str(value).expect("header value"));
        };
        put(headers::TIMESTAMP, &timestamp);
        put(headers::NONCE, &nonce);
        put(headers::SIGNATURE, &b64(&signature));
        put(headers::SERIAL, PUBLIC_KEY_ID);
        put(headers::SIGNATURE_TYPE, AUTH_SCHEME);
        put(headers::REQUEST_ID, "08F78BB5AF0610D302A8D8011C2B8F6F");
        map
    }
}

/// A `return-advance` answer as the sandbox sends it (about 300 bytes).
fn response_body() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "refund_id": REFUND_ID,
        "advance_return_id": "12000000000000000000000000000001",
        "return_amount": 8800,
        "payer_mchid": SUB_MCHID,
        "payer_account": "BASIC",
        "payee_mchid": MCHID,
        "payee_account": "BASIC",
        "result": "SUCCESS",
        "success_time": "2024-01-01T12:00:00+08:00",
    }))
    .expect("json")
}

/// A `TRANSACTION.SUCCESS` callback whose resource is exactly
/// [`CALLBACK_RESOURCE_BYTES`] of JSON once decrypted.
fn callback_body(apiv3_key: &ApiV3Key) -> Vec<u8> {
    let mut resource = serde_json::json!({
        "mchid": MCHID,
        "appid": "wxd678efh567hg6787",
        "out_trade_no": "1217752501201407033233368018",
        "transaction_id": "4200000000000000000000000000001",
        "trade_type": "JSAPI",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "CMC",
        "success_time": "2024-01-01T12:00:00+08:00",
        "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        "amount": { "total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY" },
        "attach": "",
    });
    let unpadded = serde_json::to_vec(&resource).expect("json").len();
    resource["attach"] = "x".repeat(CALLBACK_RESOURCE_BYTES - unpadded).into();
    let plaintext = serde_json::to_vec(&resource).expect("json");
    assert_eq!(plaintext.len(), CALLBACK_RESOURCE_BYTES);
    let nonce = "fdasflkja484";
    let associated_data = "transaction";
    serde_json::to_vec(&serde_json::json!({
        "id": "EV-2018022511223320873",
        "create_time": "2024-01-01T12:00:00+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": apiv3_key.encrypt(&plaintext, nonce, associated_data).expect("encrypt"),
            "associated_data": associated_data,
            "nonce": nonce,
        }
    }))
    .expect("json")
}

fn group<'a>(c: &'a mut Bench, what: &str) -> BenchmarkGroup<'a, Clock> {
    let mut group = c.benchmark_group(format!("{what}/{BACKEND}"));
    // RSA private operations take milliseconds with the pure-Rust backend;
    // keep each benchmark to a few seconds all the same.
    group.measurement_time(Duration::from_secs(4));
    group
}

/// Request signing: the five-line message, the RSA signature, the header.
fn signing(c: &mut Bench, keys: &Keys) {
    let body = serde_json::to_vec(&serde_json::json!({ "sub_mchid": SUB_MCHID })).expect("json");
    let target = format!("/v3/ecommerce/refunds/{REFUND_ID}/return-advance");
    let message = request_message("POST", &target, "1554208460", &"N".repeat(32), &body);
    let mut group = group(c, "sign");
    group.throughput(Throughput::Elements(1));
    group.bench_function("rsa_sha256", |b| {
        b.iter(|| {
            keys.merchant
                .sign_sha256(black_box(&message))
                .expect("sign")
        })
    });
    // What the client does per request before it sends: nonce, timestamp,
    // message, signature, `Authorization` header text.
    group.bench_function("authorization_header", |b| {
        b.iter(|| {
            let nonce = random_alphanumeric(32).expect("nonce");
            let authorization = now_ready(authorize(
                &keys.merchant,
                MCHID,
                MERCHANT_SERIAL,
                SignInput::new(
                    wxpay_core::Method::Post,
                    black_box(&target),
                    unix_now(),
                    &nonce,
                    black_box(&body),
                ),
            ))
            .expect("authorize");
            authorization.to_string()
        })
    });
    group.finish();
}

/// Response verification: headers, window, keyring lookup, RSA signature.
fn verification(c: &mut Bench, keys: &Keys) {
    let body = response_body();
    let headers = keys.signed_headers(&body);
    let now = unix_now();
    let parsed = verify::SignatureHeaders::from_headers(&headers, now).expect("headers");
    let message = response_message(&parsed.timestamp, &parsed.nonce, &body);
    let public = keys.platform.public_key();
    let mut group = group(c, "verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("rsa_sha256", |b| {
        b.iter(|| assert!(public.verify_sha256(black_box(&message), &parsed.signature)))
    });
    // What the client does with every signed response before decoding it.
    group.bench_function("response", |b| {
        b.iter(|| {
            now_ready(verify::verify(
                &keys.keyring,
                black_box(&headers),
                black_box(&body),
                now,
            ))
            .expect("verified")
        })
    });
    group.finish();
}

/// A callback: verify the raw body, check the window, decrypt 1 KiB, decode JSON.
fn callback(c: &mut Bench, keys: &Keys) {
    let apiv3_key = ApiV3Key::new(APIV3_KEY).expect("apiv3 key");
    let notifier = Notifier::new(keys.keyring.clone(), apiv3_key.clone());
    let body = callback_body(&apiv3_key);
    // Signed now: `parse` checks the 300 s window against the clock, and this
    // group runs well inside it.
    let headers = keys.signed_headers(&body);
    let envelope: wxpay_core::notify::Envelope = serde_json::from_slice(&body).expect("envelope");
    let resource = envelope.resource;
    let mut group = group(c, "callback");
    group.throughput(Throughput::Bytes(CALLBACK_RESOURCE_BYTES as u64));
    group.bench_function("verify_decrypt_1KiB", |b| {
        b.iter(|| {
            now_ready(notifier.parse::<serde_json::Value>(black_box(&headers), black_box(&body)))
                .expect("notification")
        })
    });
    // The AES-256-GCM share of the above (base64 decode included).
    group.bench_function("aes_gcm_decrypt_1KiB", |b| {
        b.iter(|| {
            apiv3_key
                .decrypt(
                    black_box(&resource.ciphertext),
                    &resource.nonce,
                    &resource.associated_data,
                )
                .expect("decrypt")
        })
    });
    group.finish();
}

/// Sensitive fields: RSA-OAEP (SHA-1) to WeChat's key, and back with ours.
fn sensitive_fields(c: &mut Bench, keys: &Keys) {
    // An 18-character resident ID number, the longest common sensitive field.
    let field = "110101199003074477";
    let wechat_key: &PublicKey = keys.platform.public_key();
    let from_wechat = keys
        .merchant
        .public_key()
        .encrypt_oaep_base64(field)
        .expect("encrypt");
    let mut group = group(c, "oaep");
    group.throughput(Throughput::Elements(1));
    group.bench_function("encrypt", |b| {
        b.iter(|| {
            wechat_key
                .encrypt_oaep_base64(black_box(field))
                .expect("encrypt")
        })
    });
    group.bench_function("decrypt", |b| {
        b.iter(|| {
            keys.merchant
                .decrypt_oaep_base64(black_box(&from_wechat))
                .expect("decrypt")
        })
    });
    group.finish();
}

/// What `#[wxpay_api]` generates: path, query and body encoding of a seed operation.
fn encoding(c: &mut Bench) {
    let post = ReturnAdvanceRequest {
        refund_id: REFUND_ID,
        sub_mchid: SUB_MCHID,
    };
    let get = QueryReturnOrderRequest {
        sub_mchid: SUB_MCHID,
        order_id: Some("3008450740201411110007820472"),
        out_order_no: None,
        out_return_no: "R20190516001",
    };
    let mut group = group(c, "encode");
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    group.bench_function("return_advance_post", |b| {
        b.iter(|| {
            let encoded = EncodedRequest::from_api(black_box(&post)).expect("encode");
            (encoded.target(), encoded)
        })
    });
    group.bench_function("query_return_order_get", |b| {
        b.iter(|| {
            let encoded = EncodedRequest::from_api(black_box(&get)).expect("encode");
            (encoded.target(), encoded)
        })
    });
    group.finish();
}

/// APIv2: a micropay-sized request signed both ways (stack scrub included),
/// an answer decoded and verified, a refund `req_info` decrypted.
fn apiv2(c: &mut Bench) {
    use std::collections::BTreeMap;
    use wxpay_core::v2::{from_xml, notify, sign, to_xml, verify, ApiV2Key, SignType};

    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").expect("key");
    let mut fields: BTreeMap<String, String> = [
        ("appid", "wxd678efh567hg6787"),
        ("mch_id", MCHID),
        ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
        ("body", "Image形象店-深圳腾大-QQ公仔"),
        ("out_trade_no", "1217752501201407033233368018"),
        ("total_fee", "888"),
        ("spbill_create_ip", "8.8.8.8"),
        ("auth_code", "120061098828009406"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut group = group(c, "apiv2");
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    group.bench_function("sign_md5", |b| {
        b.iter(|| sign(black_box(&fields), &key, SignType::Md5))
    });
    group.bench_function("sign_hmac_sha256", |b| {
        b.iter(|| sign(black_box(&fields), &key, SignType::HmacSha256))
    });
    let signature = sign(&fields, &key, SignType::HmacSha256);
    fields.insert("sign".into(), signature);
    let answer = to_xml(&fields);
    group.bench_function("decode_verify_answer", |b| {
        b.iter(|| {
            let fields = from_xml(black_box(answer.as_bytes())).expect("xml");
            verify(&fields, &key).expect("verify");
            fields
        })
    });
    let req_info = wxpay_core::unstable::encrypt_req_info(&fields, &key);
    group.bench_function("decrypt_req_info", |b| {
        b.iter(|| notify::decrypt_req_info(black_box(&req_info), &key).expect("decrypt"))
    });
    group.finish();
}

fn benches(c: &mut Bench) {
    eprintln!(
        "wxpay-core benches: backend {BACKEND}, timed by {}",
        Clock::from_env().name()
    );
    let keys = Keys::generate();
    signing(c, &keys);
    verification(c, &keys);
    callback(c, &keys);
    sensitive_fields(c, &keys);
    encoding(c);
    apiv2(c);
}

criterion_group! {
    name = core;
    config = Criterion::default().with_measurement(Clock::from_env());
    targets = benches
}
criterion_main!(core);
