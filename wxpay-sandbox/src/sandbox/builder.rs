//! Configuring and starting a [`Sandbox`].

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use wxpay_core::{Certificate, PrivateKey};

use crate::app::{App, Lifecycle, Limits};
use crate::auth::NonceCache;
use crate::certgen;
use crate::clock::Clock;
use crate::error::SandboxError;
use crate::fault::{Fault, FaultPlan};
use crate::fleet::NewMerchant;
use crate::identity::{
    check_public_key_id, generate_public_key_id, DemoMerchant, KeyMode, Merchant, Platform,
};
use crate::notify::{http_client, AllowedHosts};
use crate::platform::Platforms;
use crate::store::Store;

use super::{
    Sandbox, DEFAULT_MAX_BODY_BYTES, DEFAULT_MCHID, DEFAULT_SUB_MCHID, DEFAULT_VALIDITY,
    PLATFORM_SUBJECT,
};

/// Configures a [`Sandbox`]; every setting has a default, so
/// `Sandbox::builder().start().await` is a working sandbox.
#[must_use]
#[derive(Debug)]
pub struct SandboxBuilder {
    listen: SocketAddr,
    console: Option<SocketAddr>,
    key_mode: KeyMode,
    mchid: Option<String>,
    platform_key: Option<PrivateKey>,
    platform_certificate: Option<Certificate>,
    public_key_id: Option<String>,
    platform_validity: Option<(SystemTime, SystemTime)>,
    demo_merchant: Option<DemoMerchant>,
    merchants: Vec<Merchant>,
    new_merchants: Vec<NewMerchant>,
    settle_after: Duration,
    max_body_bytes: usize,
    limits: Limits,
    lifecycle: Lifecycle,
    notify_hosts: Vec<String>,
    sub_mchids: Vec<String>,
    /// The demo merchant's appids, and its sub-merchants' (sub, appid).
    appids: Vec<String>,
    sub_appids: Vec<(String, String)>,
    profit_sharing_notify_url: Option<String>,
    #[cfg(feature = "sqlite")]
    database: Option<std::path::PathBuf>,
    fault: Option<Fault>,
    clock_start: Option<SystemTime>,
    same_day_bills: bool,
    signature_skew: i64,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            console: None,
            key_mode: KeyMode::Certificate,
            mchid: None,
            platform_key: None,
            platform_certificate: None,
            public_key_id: None,
            platform_validity: None,
            demo_merchant: None,
            merchants: Vec::new(),
            new_merchants: Vec::new(),
            settle_after: Duration::ZERO,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            limits: Limits::default(),
            lifecycle: Lifecycle::default(),
            notify_hosts: Vec::new(),
            sub_mchids: Vec::new(),
            appids: Vec::new(),
            sub_appids: Vec::new(),
            profit_sharing_notify_url: None,
            #[cfg(feature = "sqlite")]
            database: None,
            fault: None,
            clock_start: None,
            same_day_bills: false,
            signature_skew: 0,
        }
    }
}

impl SandboxBuilder {
    /// Also serves the console (`/sandbox/`: merchants, orders, refunds,
    /// notification deliveries, with buttons; see [`Sandbox::console_url`])
    /// on a port of its own at `addr`, which serves nothing else. Keep it on
    /// loopback: anyone who reaches it can pay, refund and re-send.
    pub fn console(mut self, addr: SocketAddr) -> Self {
        self.console = Some(addr);
        self
    }

    /// Where to listen (default `127.0.0.1:0`: an ephemeral port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// How the platform key is presented (default [`KeyMode::Certificate`]).
    pub fn key_mode(mut self, mode: KeyMode) -> Self {
        self.key_mode = mode;
        self
    }

    /// The demo merchant's id (default [`DEFAULT_MCHID`]).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// Signs with this platform key instead of a fresh one.
    pub fn platform_key(mut self, key: PrivateKey) -> Self {
        self.platform_key = Some(key);
        self
    }

    /// Serves this platform certificate (certificate mode); it must certify the
    /// platform key, so set [`platform_key`](Self::platform_key) too.
    pub fn platform_certificate(mut self, certificate: Certificate) -> Self {
        self.platform_certificate = Some(certificate);
        self
    }

    /// The WeChat Pay public key id (`PUB_KEY_ID_...`) used in public-key mode
    /// (default: a fresh one).
    pub fn public_key_id(mut self, id: impl Into<String>) -> Self {
        self.public_key_id = Some(id.into());
        self
    }

    /// The validity of a generated platform certificate (default: from a day
    /// ago for five years). A period in the past gives an expired certificate.
    pub fn platform_certificate_validity(
        mut self,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Self {
        self.platform_validity = Some((not_before, not_after));
        self
    }

    /// Uses this demo merchant (e.g. loaded from an earlier run) instead of a fresh one.
    pub fn demo_merchant(mut self, merchant: DemoMerchant) -> Self {
        self.demo_merchant = Some(merchant);
        self
    }

    /// Also accepts requests from this merchant (your own key pair, mchid and APIv3 key).
    pub fn register_merchant(mut self, merchant: Merchant) -> Self {
        self.merchants.push(merchant);
        self
    }

    /// Also makes this merchant at start (its keys, APIv3 key and, as at
    /// WeChat Pay, a platform key of its own): see [`Sandbox::add_merchant`]
    /// and [`Sandbox::merchant_credentials`].
    pub fn add_merchant(mut self, merchant: NewMerchant) -> Self {
        self.new_merchants.push(merchant);
        self
    }

    /// How long a created order stays PROCESSING (default zero: the creating
    /// answer says PROCESSING, every later read says SUCCESS).
    pub fn settle_after(mut self, delay: Duration) -> Self {
        self.settle_after = delay;
        self
    }

    /// The largest request body accepted (default [`DEFAULT_MAX_BODY_BYTES`]);
    /// larger ones get 400 `PARAM_ERROR`.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// How many connections are served at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`](super::DEFAULT_MAX_CONNECTIONS), at least 1). Past it the sandbox stops
    /// accepting until a connection closes, so clients wait instead of
    /// exhausting the server's memory or file descriptors.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.limits.max_connections = limit.max(1);
        self
    }

    /// How long a connection may go without sending a request before it is
    /// closed (default [`DEFAULT_IDLE_TIMEOUT`](super::DEFAULT_IDLE_TIMEOUT)): a fresh connection that sends
    /// nothing, and a keep-alive one between requests.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// How many orders are remembered, all kinds together (default
    /// [`DEFAULT_MAX_ORDERS`](super::DEFAULT_MAX_ORDERS), at least 1). Past it the oldest are forgotten
    /// and read as unknown (404), as an expired order would.
    pub fn max_orders(mut self, limit: usize) -> Self {
        self.limits.max_orders = limit.max(1);
        self
    }

    /// Pays every new order this long after its prepay (default: never; pay
    /// through the control API, the pay page or [`Sandbox::pay_order`]).
    pub fn auto_pay(mut self, delay: Duration) -> Self {
        self.lifecycle.auto_pay = Some(delay);
        self
    }

    /// Multiplies WeChat Pay's waits: the notification retry schedule
    /// ([`NOTIFY_RETRY_SCHEDULE`](crate::NOTIFY_RETRY_SCHEDULE)) and the 5 s
    /// answer timeout (never under 1 s). Default 1.0; `0.001` runs the whole
    /// 24-hour schedule in under 90 s. Values outside (0, 1000] are ignored.
    pub fn time_scale(mut self, scale: f64) -> Self {
        if scale.is_finite() && scale > 0.0 && scale <= 1000.0 {
            self.lifecycle.time_scale = scale;
        }
        self
    }

    /// How long a new refund stays PROCESSING before it succeeds (default
    /// zero: the creating answer says PROCESSING, the refund succeeds at once
    /// and REFUND.SUCCESS is sent). `None` leaves every refund PROCESSING
    /// until [`Sandbox::settle_refund`] or the control API decides.
    pub fn refund_settle_after(mut self, delay: Option<Duration>) -> Self {
        self.lifecycle.refund_after = delay;
        self
    }

    /// How long a profit-sharing order stays PROCESSING before it finishes
    /// (default zero: the creating answer says PROCESSING, the order
    /// finishes at once and merchant receivers are notified). `None` leaves
    /// every order PROCESSING until [`Sandbox::settle_profit_sharing`] or
    /// the control API settles it.
    pub fn profit_sharing_settle_after(mut self, delay: Option<Duration>) -> Self {
        self.lifecycle.profit_sharing_after = delay;
        self
    }

    /// How long a confirmed transfer stays TRANSFERING (and a cancelled one
    /// CANCELING) before it ends (default zero). `None` leaves them there
    /// until [`Sandbox::finish_transfer`] or the control API ends them.
    pub fn transfer_settle_after(mut self, delay: Option<Duration>) -> Self {
        self.lifecycle.transfer_after = delay;
        self
    }

    /// Also sends notifications to this host (a name or address; `*` for any).
    /// Loopback is always allowed, nothing else by default.
    pub fn allow_notify_host(mut self, host: impl Into<String>) -> Self {
        self.notify_hosts.push(host.into());
        self
    }

    /// A sub-merchant the demo merchant acts for as a service provider
    /// (default: [`DEFAULT_SUB_MCHID`] alone; naming any replaces it).
    pub fn sub_merchant(mut self, sub_mchid: impl Into<String>) -> Self {
        self.sub_mchids.push(sub_mchid.into());
        self
    }

    /// An appid bound to the demo merchant (its `appid` or `sp_appid`).
    /// Default: none, and any appid is accepted; once one is bound, requests
    /// naming another answer 400 `APPID_MCHID_NOT_MATCH`.
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.appids.push(appid.into());
        self
    }

    /// A `sub_appid` bound to one of the demo merchant's sub-merchants (it
    /// becomes one if it was not named by [`sub_merchant`](Self::sub_merchant)).
    pub fn sub_appid(mut self, sub_mchid: impl Into<String>, appid: impl Into<String>) -> Self {
        self.sub_appids.push((sub_mchid.into(), appid.into()));
        self
    }

    /// Where profit sharing to the demo merchant as a receiver is notified
    /// (分账动账通知, `PROFITSHARING.SUCCESS` / `.RETURN`). Default: nowhere,
    /// as for a merchant that never set one in WeChat's merchant platform.
    pub fn profit_sharing_notify_url(mut self, url: impl Into<String>) -> Self {
        self.profit_sharing_notify_url = Some(url.into());
        self
    }

    /// Keeps orders, refunds, profit sharing (receivers, orders, returns) and
    /// transfer bills in the SQLite database at `path` (created if needed),
    /// so a sandbox started again with the same file still has them, and
    /// what was still moving (a PROCESSING split, a TRANSFERING bill) moves
    /// on (default: memory only). The bound of
    /// [`max_orders`](Self::max_orders) applies to the file too.
    #[cfg(feature = "sqlite")]
    pub fn database(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// A fault applied to every request from the start (see [`Sandbox::set_fault`]).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Starts the sandbox's business clock at `start` instead of now: orders
    /// are created, paid and refunded at that time, and bills dated by it.
    /// The clock runs on from there and only moves forward
    /// ([`Sandbox::advance_clock`], [`Sandbox::advance_to_bill_time`]).
    /// Signatures keep the wall clock (a client checks them against its own).
    ///
    /// Tests that fetch bills start it at noon China time, so a run never
    /// straddles midnight and every order lands on the day expected.
    pub fn start_clock_at(mut self, start: SystemTime) -> Self {
        self.clock_start = Some(start);
        self
    }

    /// Plants a skewed clock: the sandbox makes and judges signatures by a
    /// clock `secs` ahead of this machine's (behind if negative), so a
    /// client sees what a clock off by `-secs` does against WeChat Pay:
    /// beyond 300 s its requests are refused (401 `SIGN_ERROR`) and the
    /// answers' `Wechatpay-Timestamp` is outside its window. Default 0.
    pub fn signature_clock_skew(mut self, secs: i64) -> Self {
        self.signature_skew = secs;
        self
    }

    /// Serves a day's bills at once, today's included (the sandbox's old
    /// behaviour), instead of as WeChat Pay does: day D's bills from 10:00
    /// China time on D+1 (`NO_STATEMENT_EXIST` for today, `STATEMENT_CREATING`
    /// before 10:00 the next morning). Default `false`.
    pub fn bills_same_day(mut self, on: bool) -> Self {
        self.same_day_bills = on;
        self
    }

    /// Loads the platform key, platform certificate, public key id and demo
    /// merchant written by [`Sandbox::write_dir`] into `dir` earlier, where
    /// present, so a restarted sandbox keeps its identity. Missing files are
    /// generated at start as usual.
    pub fn load_dir(mut self, dir: impl AsRef<std::path::Path>) -> Result<Self, SandboxError> {
        let loaded = crate::files::load(dir.as_ref())?;
        if let Some(key) = loaded.platform_key {
            if let Some(cert) = loaded
                .platform_certificate
                .filter(|c| c.public_key() == key.public_key())
            {
                self.platform_certificate = Some(cert);
            }
            self.platform_key = Some(key);
        }
        if loaded.public_key_id.is_some() {
            self.public_key_id = loaded.public_key_id;
        }
        if loaded.demo_merchant.is_some() {
            self.demo_merchant = loaded.demo_merchant;
        }
        Ok(self)
    }

    /// Generates what is missing, binds the port and starts serving in the background.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        let platform = self.platform()?;
        let demo = match self.demo_merchant {
            Some(mut demo) => {
                if let Some(mchid) = self.mchid {
                    demo.mchid = mchid;
                }
                demo
            }
            None => generate_demo_merchant(self.mchid.as_deref().unwrap_or(DEFAULT_MCHID))?,
        };
        let mut registration = demo.registration()?;
        let subs = if self.sub_mchids.is_empty() {
            vec![DEFAULT_SUB_MCHID.to_owned()]
        } else {
            self.sub_mchids
        };
        for sub in subs {
            registration = registration.with_sub_merchant(sub);
        }
        for appid in self.appids {
            registration = registration.with_appid(appid);
        }
        for (sub, appid) in self.sub_appids {
            registration = registration.with_sub_appid(&sub, appid);
        }
        if let Some(url) = self.profit_sharing_notify_url {
            registration = registration.with_profit_sharing_notify_url(url);
        }
        // The demo merchant is both a direct merchant and a service provider.
        let registration = registration.also_direct();
        let mut generated = Vec::new();
        let mut generated_registrations = Vec::new();
        for spec in &self.new_merchants {
            let (demo, registration) = crate::fleet::generate(spec)?;
            generated.push(demo);
            generated_registrations.push(registration);
        }
        let mut merchants = HashMap::new();
        for merchant in std::iter::once(registration)
            .chain(self.merchants)
            .chain(generated_registrations)
        {
            let mchid = merchant.mchid.clone();
            if merchants.insert(mchid.clone(), merchant).is_some() {
                return Err(SandboxError::Config(format!(
                    "mchid {mchid} is registered twice"
                )));
            }
        }
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
        let base_url = format!("http://{addr}/");
        #[cfg(feature = "sqlite")]
        let store = match &self.database {
            Some(path) => Store::with_database(self.limits.max_orders, path)?,
            None => Store::new(self.limits.max_orders),
        };
        #[cfg(not(feature = "sqlite"))]
        let store = Store::new(self.limits.max_orders);
        let own_platforms: Vec<(String, Arc<Platform>)> = merchants
            .values()
            .filter_map(|m| Some((m.mchid.clone(), m.own_platform.clone()?)))
            .collect();
        let generated: HashMap<String, DemoMerchant> = generated
            .into_iter()
            .map(|demo| (demo.mchid.clone(), demo))
            .collect();
        let app = Arc::new(App {
            platforms: Platforms::new(platform),
            merchants: RwLock::new(merchants),
            generated: RwLock::new(generated),
            certificate_downloads: Mutex::new(HashMap::new()),
            nonces: Mutex::new(NonceCache::default()),
            store: Mutex::new(store),
            faults: Mutex::new(FaultPlan::new(self.fault)),
            settle_after: self.settle_after,
            max_body_bytes: self.max_body_bytes,
            limits: self.limits,
            base_url: base_url.clone(),
            lifecycle: self.lifecycle,
            clock: Clock::new(self.clock_start, self.same_day_bills)
                .with_signature_skew(self.signature_skew),
            notify_hosts: AllowedHosts {
                extra: self.notify_hosts,
            },
            http: http_client()?,
            outbox: Mutex::new(Default::default()),
            tasks: Mutex::new(Default::default()),
        });
        for (mchid, platform) in own_platforms {
            app.platforms.give_own(&mchid, platform);
        }
        let (stop, stopped) = watch::channel(false);
        let console = match self.console {
            Some(at) => Some(start_console(at, &app, stopped.clone()).await?),
            None => None,
        };
        // What a database brought back mid-way moves on as it would have.
        crate::ops::profitsharing::lifecycle::resume(&app);
        crate::ops::transfer::lifecycle::resume(&app);
        let task = tokio::spawn(crate::server::serve(listener, app.clone(), stopped));
        Ok(Sandbox {
            addr,
            base_url,
            app,
            merchant: demo,
            stop,
            task: Some(task),
            console,
        })
    }

    fn platform(&self) -> Result<Platform, SandboxError> {
        let key = match &self.platform_key {
            Some(key) => key.clone(),
            None => wxpay_core::unstable::generate_private_key()?,
        };
        let public_key_id = match &self.public_key_id {
            Some(id) => {
                check_public_key_id(id)?;
                id.clone()
            }
            None => generate_public_key_id()?,
        };
        let certificate = match self.key_mode {
            KeyMode::PublicKey => None,
            KeyMode::Certificate => Some(match &self.platform_certificate {
                Some(cert) if cert.public_key() == key.public_key() => cert.clone(),
                Some(_) => {
                    return Err(SandboxError::Config(
                        "the platform certificate does not certify the platform key".into(),
                    ))
                }
                None => {
                    let (not_before, not_after) = self.platform_validity.unwrap_or_else(|| {
                        let now = SystemTime::now();
                        (now - DEFAULT_VALIDITY.0, now + DEFAULT_VALIDITY.1)
                    });
                    certgen::self_signed(PLATFORM_SUBJECT, &key, not_before, not_after)?
                }
            }),
        };
        let serial = match &certificate {
            Some(cert) => cert.serial().to_owned(),
            None => public_key_id.clone(),
        };
        Ok(Platform {
            key,
            mode: self.key_mode,
            serial,
            certificate,
            public_key_id,
        })
    }
}

/// Binds the console's own port and serves the control router there until
/// the sandbox stops.
async fn start_console(
    at: SocketAddr,
    app: &Arc<App>,
    mut stopped: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), SandboxError> {
    let listener = TcpListener::bind(at)
        .await
        .map_err(|error| SandboxError::Bind { addr: at, error })?;
    let addr = listener
        .local_addr()
        .map_err(|error| SandboxError::Bind { addr: at, error })?;
    let router = crate::control::router(app.clone());
    let task = tokio::spawn(async move {
        let stop = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        // A failing accept loop ends the console, not the sandbox.
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(stop)
            .await;
    });
    Ok((addr, task))
}

fn generate_demo_merchant(mchid: &str) -> Result<DemoMerchant, SandboxError> {
    let key = wxpay_core::unstable::generate_private_key()?;
    let now = SystemTime::now();
    let subject = format!("CN={mchid},OU=wxpay sandbox demo merchant,O=wxpay,C=CN");
    let certificate = certgen::self_signed(
        &subject,
        &key,
        now - DEFAULT_VALIDITY.0,
        now + DEFAULT_VALIDITY.1,
    )?;
    DemoMerchant::from_parts(
        mchid,
        key,
        certificate.to_pem(),
        crate::random::alphanumeric(32)?,
    )
}
