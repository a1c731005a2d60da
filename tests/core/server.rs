//! A small capturing HTTP server on loopback: records each request exactly as
//! received and answers with a reply signed (or mis-signed) as configured.
//! The sandbox is the full simulator; this one isolates the client's own
//! signing and verification rules.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::Response;
use base64::Engine;
use wxpay_core::verify::response_message;
use wxpay_core::{Client, ClientBuilder, Keyring, PrivateKey};

pub const PLATFORM_ID: &str = "PUB_KEY_ID_0100000000000000000000000000";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    /// Path and query exactly as received.
    pub target: String,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

/// How the reply is signed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signing {
    Good,
    /// Signed, then one body byte changed.
    TamperedBody,
    /// No Wechatpay-* headers at all.
    None,
    /// Only Wechatpay-Nonce missing.
    MissingNonce,
    UnknownSerial,
    StaleTimestamp,
    SignTestProbe,
    /// Signed by a key the client does not trust under that serial.
    WrongKey,
    /// `{"sha1":"<header>"}` signed, as for overseas statements.
    StatementSha1,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub signing: Signing,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            body: body.as_bytes().to_vec(),
            signing: Signing::Good,
            headers: Vec::new(),
        }
    }
    pub fn signing(mut self, signing: Signing) -> Self {
        self.signing = signing;
        self
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

struct Shared {
    captured: Mutex<Vec<Captured>>,
    /// Requests to this path wait until the `Notify` fires.
    hold: Mutex<Option<(String, Arc<tokio::sync::Notify>)>>,
    reply: Mutex<Reply>,
    platform: PrivateKey,
    stranger: PrivateKey,
}

pub struct TestServer {
    pub base_url: String,
    pub merchant: PrivateKey,
    pub platform: PrivateKey,
    shared: Arc<Shared>,
}

impl TestServer {
    pub async fn start() -> Self {
        let platform = wxpay_core::unstable::generate_private_key().unwrap();
        let shared = Arc::new(Shared {
            captured: Mutex::new(Vec::new()),
            hold: Mutex::new(None),
            reply: Mutex::new(Reply::json(200, "{}")),
            platform: platform.clone(),
            stranger: wxpay_core::unstable::generate_private_key().unwrap(),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url: format!("http://{addr}/"),
            merchant: wxpay_core::unstable::generate_private_key().unwrap(),
            platform,
            shared,
        }
    }

    /// A client builder for this server's merchant, trusting its platform key;
    /// tests override the one setting they are about.
    pub fn builder(&self) -> ClientBuilder {
        let keyring = Keyring::new();
        keyring
            .add_public_key(PLATFORM_ID, self.platform.public_key().clone())
            .unwrap();
        Client::builder()
            .mchid("1900000109")
            .merchant_serial("5157f09efdc096de15ebe81a47057a7232f1b8e1")
            .private_key(self.merchant.clone())
            .keyring(keyring)
            .base_url(&self.base_url)
    }

    pub fn client(&self) -> Client {
        self.builder().build().unwrap()
    }

    pub fn reply(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = reply;
    }

    /// Makes requests to `path` wait (unanswered) until the returned handle
    /// is notified.
    pub fn hold(&self, path: &str) -> Arc<tokio::sync::Notify> {
        let release = Arc::new(tokio::sync::Notify::new());
        *self.shared.hold.lock().unwrap() = Some((path.to_owned(), release.clone()));
        release
    }

    /// How many requests reached this server.
    pub fn count(&self) -> usize {
        self.shared.captured.lock().unwrap().len()
    }

    pub fn last(&self) -> Captured {
        self.shared
            .captured
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("no request captured")
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    shared.captured.lock().unwrap().push(Captured {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers.clone(),
        body: body.to_vec(),
    });
    let held = shared
        .hold
        .lock()
        .unwrap()
        .as_ref()
        .filter(|(path, _)| parts.uri.path() == path)
        .map(|(_, release)| release.clone());
    if let Some(release) = held {
        release.notified().await;
    }
    let reply = shared.reply.lock().unwrap().clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let timestamp = match reply.signing {
        Signing::StaleTimestamp => (now - 301).to_string(),
        _ => now.to_string(),
    };
    let nonce = "c5ac7061fccab6bf3e254dcf98995b8c";
    let signed_body = match reply.signing {
        Signing::StatementSha1 => {
            let sha1 = reply
                .headers
                .iter()
                .find(|(n, _)| *n == "Wechatpay-Statement-Sha1")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            format!(r#"{{"sha1":"{sha1}"}}"#).into_bytes()
        }
        _ => reply.body.clone(),
    };
    let key = if reply.signing == Signing::WrongKey {
        &shared.stranger
    } else {
        &shared.platform
    };
    let signature = base64::engine::general_purpose::STANDARD.encode(
        key.sign_sha256(&response_message(&timestamp, nonce, &signed_body))
            .unwrap(),
    );
    let mut body = reply.body.clone();
    if reply.signing == Signing::TamperedBody {
        // Change a digit (an amount) if there is one, else add a byte: the
        // body must differ from what was signed either way.
        match body.iter_mut().find(|b| b.is_ascii_digit()) {
            Some(b) => *b = if *b == b'9' { b'1' } else { *b + 1 },
            None => body.push(b' '),
        }
    }
    let mut response = Response::builder()
        .status(reply.status)
        .header("Request-ID", "08F78BB5AF0610D302A7D9BDBA0D");
    let serial = if reply.signing == Signing::UnknownSerial {
        "PUB_KEY_ID_0199999999999999999999999999"
    } else {
        PLATFORM_ID
    };
    if reply.signing != Signing::None {
        response = response
            .header("Wechatpay-Serial", serial)
            .header("Wechatpay-Timestamp", &timestamp)
            .header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
            .header(
                "Wechatpay-Signature",
                if reply.signing == Signing::SignTestProbe {
                    format!("WECHATPAY/SIGNTEST/{signature}")
                } else {
                    signature
                },
            );
        if reply.signing != Signing::MissingNonce {
            response = response.header("Wechatpay-Nonce", nonce);
        }
    }
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    if !body.is_empty() {
        response = response.header("Content-Type", "application/json");
    }
    response.body(axum::body::Body::from(body)).unwrap()
}
