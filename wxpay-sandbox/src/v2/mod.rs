//! The sandbox's APIv2: a second listener speaking WeChat Pay's legacy XML
//! API over TLS, with the demo merchant's API certificate checked (mutual
//! TLS) on certificate operations.
//!
//! It answers `pay/micropay`, `pay/orderquery`, `secapi/pay/reverse`,
//! `secapi/pay/refund` and `pay/refundquery` (each also under the
//! catalog's `v2/` prefix), checks every request's `sign`, signs every answer
//! like WeChat (same sign type as the request), and sends the APIv2 payment
//! and refund notifications. Requests it cannot accept get WeChat's unsigned
//! `return_code=FAIL` answer (`签名错误`, `证书错误`, `XML格式错误`).
//!
//! Micropay with an 18-digit `auth_code` pays at once; one starting `14`
//! answers `USERPAYING` (the user must enter a password), and the next
//! order query finds it `SUCCESS`, so the query-then-reverse loop of a
//! real till can be exercised.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = wxpay_sandbox::v2::V2Sandbox::start().await?;
//! let client = sandbox.client_builder()?.build()?;
//! let paid = client
//!     .call("pay/micropay")
//!     .param("appid", "wxd678efh567hg6787")
//!     .param("body", "image")
//!     .param("out_trade_no", "T1")
//!     .param("total_fee", "100")
//!     .param("spbill_create_ip", "127.0.0.1")
//!     .param("auth_code", "134567890123456789")
//!     .send()
//!     .await?;
//! assert_eq!(paid.get("trade_type"), Some("MICROPAY"));
//! # Ok(()) }
//! ```

mod notify;
mod ops;
mod tls;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;
use wxpay_core::v2::{ApiV2Key, V2ClientBuilder};
use wxpay_core::{Certificate, PrivateKey};
use zeroize::Zeroizing;

use crate::error::SandboxError;

/// The demo merchant's APIv2 key unless another is given.
pub const DEFAULT_KEY: &str = "wxpaysandboxapiv2key0123456789ab";

/// A running APIv2 sandbox; dropping it stops the listener.
pub struct V2Sandbox {
    addr: SocketAddr,
    state: Arc<ops::State>,
    server_certificate_pem: String,
    merchant_certificate_pem: String,
    /// Never printed: `Debug` leaves it out.
    merchant_key_pem: String,
    /// The APIv2 key as the SDK's client takes it (never printed).
    client_key: ApiV2Key,
    stop: watch::Sender<bool>,
}

impl fmt::Debug for V2Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Sandbox")
            .field("addr", &self.addr)
            .field("mchid", &self.state.mchid)
            .finish_non_exhaustive()
    }
}

/// Configures a [`V2Sandbox`].
#[derive(Debug)]
#[must_use]
pub struct V2SandboxBuilder {
    mchid: String,
    key: String,
    listen: SocketAddr,
    merchant: Option<(Certificate, PrivateKey)>,
}

impl V2SandboxBuilder {
    /// The demo merchant's id (default `1900000100`).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = mchid.into();
        self
    }

    /// The demo merchant's APIv2 key (default [`DEFAULT_KEY`]).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The merchant API certificate clients must present on certificate
    /// operations, and its key (default: generated). WeChat uses one API
    /// certificate for both APIs, so the `wxpay-sandbox` binary passes the
    /// APIv3 demo merchant's `apiclient_cert.pem` here.
    pub fn merchant_certificate(mut self, certificate: Certificate, key: PrivateKey) -> Self {
        self.merchant = Some((certificate, key));
        self
    }

    /// Generates the certificates it was not given and starts listening.
    pub async fn start(self) -> Result<V2Sandbox, SandboxError> {
        // The SDK's key type only holds the key for `client_builder`; the
        // sandbox signs with its own code (`wire::v2`) from the text.
        let client_key = ApiV2Key::new(&self.key).map_err(|e| SandboxError::Core(e.into()))?;
        let key = Zeroizing::new(self.key);
        let server = tls::server_identity()?;
        let merchant = match self.merchant {
            Some((certificate, key)) => {
                if certificate.public_key() != key.public_key() {
                    return Err(SandboxError::Config(
                        "the APIv2 merchant certificate does not certify its key".into(),
                    ));
                }
                tls::Identity { key, certificate }
            }
            None => tls::merchant_identity(&self.mchid)?,
        };
        let config = tls::server_config(&server, &merchant.certificate)?;
        let listener =
            TcpListener::bind(self.listen)
                .await
                .map_err(|error| SandboxError::Bind {
                    addr: self.listen,
                    error,
                })?;
        let addr = listener.local_addr().map_err(|error| SandboxError::Bind {
            addr: self.listen,
            error,
        })?;
        let state = Arc::new(ops::State {
            mchid: self.mchid,
            key,
            orders: Mutex::new(HashMap::new()),
            refunds: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(tls::serve(listener, config, state.clone(), stopped));
        Ok(V2Sandbox {
            addr,
            state,
            server_certificate_pem: server.certificate.to_pem(),
            merchant_certificate_pem: merchant.certificate.to_pem(),
            merchant_key_pem: merchant.key.to_pkcs8_pem(),
            client_key,
            stop,
        })
    }
}

impl V2Sandbox {
    /// Starts configuring an APIv2 sandbox.
    pub fn builder() -> V2SandboxBuilder {
        V2SandboxBuilder {
            mchid: "1900000100".into(),
            key: DEFAULT_KEY.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            merchant: None,
        }
    }

    /// Starts one with the defaults.
    pub async fn start() -> Result<V2Sandbox, SandboxError> {
        Self::builder().start().await
    }

    /// `https://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> String {
        format!("https://{}/", self.addr)
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The demo merchant's id.
    pub fn mchid(&self) -> &str {
        &self.state.mchid
    }

    /// The demo merchant's APIv2 key, for a client.
    pub fn key(&self) -> ApiV2Key {
        self.client_key.clone()
    }

    /// The server's self-signed TLS certificate (PEM), to trust in clients.
    pub fn server_certificate_pem(&self) -> &str {
        &self.server_certificate_pem
    }

    /// The demo merchant's API certificate (`apiclient_cert.pem`).
    pub fn merchant_certificate_pem(&self) -> &str {
        &self.merchant_certificate_pem
    }

    /// The demo merchant's API certificate key (`apiclient_key.pem`).
    pub fn merchant_key_pem(&self) -> &str {
        &self.merchant_key_pem
    }

    /// A client builder for the demo merchant: base URL, key, the server
    /// certificate trusted, and no merchant certificate (see
    /// [`client_builder`](Self::client_builder)).
    pub fn client_builder_without_certificate(&self) -> Result<V2ClientBuilder, SandboxError> {
        Ok(wxpay_core::v2::V2Client::builder()
            .mchid(self.mchid())
            .key(self.key())
            .base_url(self.base_url())
            .tls_root_certificate_pem(self.server_certificate_pem.as_bytes()))
    }

    /// [`client_builder_without_certificate`](Self::client_builder_without_certificate)
    /// with the merchant API certificate, for mutual TLS.
    pub fn client_builder(&self) -> Result<V2ClientBuilder, SandboxError> {
        Ok(self
            .client_builder_without_certificate()?
            .merchant_certificate_pem(
                self.merchant_certificate_pem.as_bytes(),
                self.merchant_key_pem.as_bytes(),
            )?)
    }
}

/// The APIv2 key file [`V2Sandbox::write_dir`] writes (owner-only on Unix).
pub const APIV2_KEY_FILE: &str = "apiv2_key.txt";
/// The APIv2 listener's TLS certificate, for clients to trust.
pub const APIV2_SERVER_CERT_FILE: &str = "apiv2_server_cert.pem";
/// The APIv2 summary: base URL, merchant id, file names (no secrets).
pub const APIV2_SUMMARY_FILE: &str = "apiv2.json";

impl V2Sandbox {
    /// Writes what an APIv2 client needs besides the merchant API
    /// certificate ([`APIV2_KEY_FILE`], [`APIV2_SERVER_CERT_FILE`],
    /// [`APIV2_SUMMARY_FILE`]) into `dir`, creating it.
    pub fn write_dir(
        &self,
        dir: impl AsRef<std::path::Path>,
    ) -> Result<Vec<crate::files::WrittenFile>, SandboxError> {
        let dir = dir.as_ref();
        let summary = serde_json::json!({
            "base_url": self.base_url(),
            "mchid": self.mchid(),
            "files": {
                "apiv2_key": APIV2_KEY_FILE,
                "server_certificate": APIV2_SERVER_CERT_FILE,
            },
        });
        let key = Zeroizing::new(format!("{}\n", self.state.key.as_str()));
        let files = [
            (
                APIV2_KEY_FILE,
                key.as_str(),
                true,
                "demo merchant APIv2 key",
            ),
            (
                APIV2_SERVER_CERT_FILE,
                self.server_certificate_pem.as_str(),
                false,
                "APIv2 server TLS certificate: trust it in APIv2 clients",
            ),
            (
                APIV2_SUMMARY_FILE,
                &format!("{summary:#}\n"),
                false,
                "APIv2 summary: base URL, mchid, file names",
            ),
        ];
        crate::files::write_files(dir, &files)
    }
}

impl Drop for V2Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
