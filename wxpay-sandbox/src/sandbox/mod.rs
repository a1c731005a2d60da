//! The in-process handle: a running sandbox hands out credentials and a
//! ready client builder, arms faults and shuts down. [`builder`] configures
//! and starts one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use wxpay_core::{Certificate, Client, ClientBuilder, Keyring, PublicKey};

use crate::app::App;
use crate::error::SandboxError;
use crate::fault::Fault;
use crate::identity::{DemoMerchant, KeyMode, Merchant};

mod builder;

pub use builder::SandboxBuilder;

/// The demo merchant's id unless [`SandboxBuilder::mchid`] says otherwise
/// (the example merchant id of WeChat Pay's documentation).
pub const DEFAULT_MCHID: &str = "1900009191";

/// The sub-merchant the demo merchant acts for as a service provider unless
/// [`SandboxBuilder::sub_merchant`] names others (WeChat's example sub-merchant).
pub const DEFAULT_SUB_MCHID: &str = "1900000109";

/// The default cap on request bodies: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default cap on connections served at once; further clients wait in the
/// listen backlog until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The default time a connection may sit without sending a request (a new
/// one, or a keep-alive one between requests) before the sandbox closes it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The default number of orders kept (all kinds together); past it the oldest
/// are forgotten, so a long run cannot exhaust memory.
pub const DEFAULT_MAX_ORDERS: usize = 100_000;

const DAY: Duration = Duration::from_secs(86_400);
/// Generated certificates are valid from a day ago for five years.
pub(crate) const DEFAULT_VALIDITY: (Duration, Duration) =
    (DAY, Duration::from_secs(5 * 365 * 86_400));

pub(crate) const PLATFORM_SUBJECT: &str = "CN=wxpay sandbox platform,OU=wxpay sandbox,O=wxpay,C=CN";

/// A running sandbox. Dropping it stops the server; [`shutdown`](Self::shutdown)
/// does so and waits until every connection is closed.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    app: Arc<App>,
    merchant: DemoMerchant,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    /// The console's own port and its server task, if asked for.
    console: Option<(SocketAddr, JoinHandle<()>)>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let platform = self.platform();
        f.debug_struct("App")
            .field("key_mode", &platform.mode)
            .field("platform_serial", &platform.serial)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts configuring a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// `http://127.0.0.1:PORT/`, the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The console page on its own port (`http://127.0.0.1:PORT/sandbox/`),
    /// if [`SandboxBuilder::console`] asked for one. The same page is also at
    /// `/sandbox/` on [`base_url`](Self::base_url).
    pub fn console_url(&self) -> Option<String> {
        self.console
            .as_ref()
            .map(|(addr, _)| format!("http://{addr}/sandbox/"))
    }

    /// The address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How the platform key is presented.
    pub fn key_mode(&self) -> KeyMode {
        self.app.platform().mode
    }

    /// The demo merchant's credentials.
    pub fn merchant(&self) -> &DemoMerchant {
        &self.merchant
    }

    /// What the sandbox puts in `Wechatpay-Serial` now: the platform
    /// certificate serial, or the `PUB_KEY_ID_...` in public-key mode.
    pub fn platform_serial(&self) -> String {
        self.app.platform().serial.clone()
    }

    /// The key the sandbox signs responses with now (its public half).
    pub fn platform_public_key(&self) -> PublicKey {
        self.app.platform().key.public_key().clone()
    }

    /// The WeChat Pay public key id of the platform key (in certificate mode
    /// too, though only public-key mode sends it).
    pub fn platform_public_key_id(&self) -> String {
        self.app.platform().public_key_id.clone()
    }

    /// The platform certificate signing now; `None` in public-key mode.
    pub fn platform_certificate(&self) -> Option<Certificate> {
        self.app.platform().certificate.clone()
    }

    /// Rotates the platform certificate, as WeChat Pay does every few
    /// years: a new key and certificate sign every answer and notification
    /// from now on, and `v3/certificates` lists the new one beside the old
    /// (which stays listed, and trusted by clients, until it expires).
    /// Returns the new serial. Certificate mode only.
    pub fn rotate_platform_certificate(&self) -> Result<String, SandboxError> {
        self.app.rotate_platform_certificate(None)
    }

    /// A client builder for the demo merchant: mchid, merchant serial, private
    /// key, base URL and the platform certificate or public key already set.
    pub fn client_builder(&self) -> ClientBuilder {
        let builder = Client::builder()
            .mchid(self.merchant.mchid.clone())
            .merchant_serial(self.merchant.serial_no.clone())
            .private_key(self.merchant.private_key.clone())
            .base_url(self.base_url.clone());
        let platform = self.app.platform();
        match &platform.certificate {
            Some(certificate) => builder.platform_certificate(certificate.clone()),
            None => {
                let keyring = Keyring::new();
                // The id was checked at start, so this cannot fail; if it did, the
                // client would report every response as UnknownSerial, not panic.
                let _ = keyring
                    .add_public_key(&platform.public_key_id, platform.key.public_key().clone());
                builder.keyring(keyring)
            }
        }
    }

    /// One line per merchant accepted, sorted by id, for the startup text.
    pub(crate) fn merchant_lines(&self) -> Vec<String> {
        let mut merchants = self.app.all_merchants();
        merchants.sort_by(|a, b| a.mchid.cmp(&b.mchid));
        merchants.iter().map(Merchant::line).collect()
    }

    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    /// The shared state, for background work that outlives a call.
    pub(crate) fn shared(&self) -> &Arc<App> {
        &self.app
    }

    /// Arms a one-shot fault for the next request (faults queue up in order).
    pub fn inject(&self, fault: Fault) {
        self.app.faults().inject(fault);
    }

    /// Applies `fault` to every request until called again with `None`.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.app.faults().set_every(fault);
    }

    /// Accepts requests from another merchant from now on (replacing one with the same mchid).
    pub fn register_merchant(&self, merchant: Merchant) {
        self.app.add_merchant(merchant);
    }

    /// Writes the credentials into `dir` (created if needed) as PEM and text
    /// files plus a `sandbox.json` summary; returns what it wrote.
    pub fn write_dir(
        &self,
        dir: impl AsRef<std::path::Path>,
    ) -> Result<Vec<crate::files::WrittenFile>, SandboxError> {
        crate::files::write(self, &self.app.platform(), dir.as_ref())
    }

    /// Stops accepting, closes every connection and waits for the server task.
    pub async fn shutdown(mut self) {
        self.app.stop_tasks();
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some((_, task)) = self.console.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Background tasks hold the app; stopping them frees it.
        self.app.stop_tasks();
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Some((_, task)) = self.console.take() {
            task.abort();
        }
    }
}
