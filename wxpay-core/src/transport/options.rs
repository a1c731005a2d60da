//! The transport settings both builders share: one definition of the
//! defaults, the setters ([`transport_setters!`] writes them onto
//! [`ClientBuilder`](crate::ClientBuilder) and
//! [`V2ClientBuilder`](crate::v2::V2ClientBuilder) alike), the base-URL
//! checks and the HTTP client they build.

use std::time::Duration;

use super::{RetryPolicy, Transport};
use crate::error::Error;

/// WeChat Pay's primary API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com/";
/// The backup API host WeChat Pay documents for failover.
pub const BACKUP_BASE_URL: &str = "https://api2.wechatpay.cn/";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Bills of the largest merchants run to hundreds of MiB; a gzip bomb stops here.
const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 1 << 30;
const DEFAULT_MAX_INFLATED_BYTES: u64 = 4 << 30;

/// Hosts never sent through a proxy.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// Where the proxy comes from.
pub(crate) enum ProxySetting {
    Environment,
    None,
    Explicit(Box<reqwest::Proxy>),
}

/// The transport settings of a builder, checked and turned into a
/// [`Transport`] by [`build`](Self::build).
pub(crate) struct TransportOptions {
    pub(crate) base_urls: Vec<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) proxy: ProxySetting,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: Option<String>,
    pub(crate) roots: Vec<reqwest::Certificate>,
    pub(crate) root_error: Option<String>,
    pub(crate) max_response_bytes: usize,
    pub(crate) download_timeout: Duration,
    pub(crate) max_download_bytes: u64,
    pub(crate) max_inflated_bytes: u64,
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            base_urls: vec![DEFAULT_BASE_URL.to_owned(), BACKUP_BASE_URL.to_owned()],
            retry: RetryPolicy::default(),
            proxy: ProxySetting::Environment,
            http_client: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            roots: Vec::new(),
            root_error: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            download_timeout: DEFAULT_DOWNLOAD_TIMEOUT,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            max_inflated_bytes: DEFAULT_MAX_INFLATED_BYTES,
        }
    }
}

impl TransportOptions {
    /// Checks the settings and builds the transport; `identity` is the
    /// client certificate presented in TLS handshakes (APIv2's mutual TLS).
    pub(crate) fn build(
        self,
        api: Api,
        identity: Option<reqwest::Identity>,
    ) -> Result<Transport, Error> {
        if let Some(error) = self.root_error {
            return Err(Error::Config(error));
        }
        let bases = parse_bases(&self.base_urls)?;
        let http = match self.http_client {
            Some(client) => {
                if identity.is_some() {
                    return Err(Error::Config(
                        "a merchant API certificate cannot be added to a caller's http_client: \
                         build that reqwest::Client with the identity instead"
                            .into(),
                    ));
                }
                client
            }
            None => {
                let user_agent = self.user_agent.unwrap_or_else(|| {
                    format!(
                        "wxpay-rust/{} ({} {}; {}; {})",
                        env!("CARGO_PKG_VERSION"),
                        std::env::consts::OS,
                        std::env::consts::ARCH,
                        crate::crypto::BACKEND,
                        api.name(),
                    )
                });
                let mut builder = reqwest::Client::builder()
                    .user_agent(user_agent)
                    .connect_timeout(self.connect_timeout)
                    // A redirect would send a signed request to a target it was not signed for.
                    .redirect(reqwest::redirect::Policy::none());
                let loopback = bases.iter().all(is_loopback);
                builder = match self.proxy {
                    _ if loopback => builder.no_proxy(),
                    ProxySetting::None => builder.no_proxy(),
                    ProxySetting::Environment => builder,
                    ProxySetting::Explicit(proxy) => {
                        builder.proxy((*proxy).no_proxy(reqwest::NoProxy::from_string(LOOPBACK)))
                    }
                };
                if !self.roots.is_empty() {
                    builder = builder.tls_certs_only(self.roots);
                }
                if let Some(identity) = identity {
                    builder = builder.identity(identity);
                }
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("HTTP client: {e}")))?
            }
        };
        Ok(Transport {
            api,
            http,
            bases,
            retry: self.retry,
            timeout: self.timeout,
            download_timeout: self.download_timeout,
            max_response_bytes: self.max_response_bytes,
            max_download_bytes: self.max_download_bytes,
            max_inflated_bytes: self.max_inflated_bytes,
        })
    }
}

/// Which API a transport carries (for logs and the `User-Agent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    V3,
    V2,
}

impl Api {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Api::V3 => "APIv3",
            Api::V2 => "APIv2",
        }
    }
}

/// Writes the transport setters onto a builder that has a
/// `transport: TransportOptions` field: one definition, one set of docs,
/// for APIv3 and APIv2 alike.
macro_rules! transport_setters {
    ($builder:ty) => {
        impl $builder {
            /// One base URL, no failover; point it at the sandbox in tests. The
            /// default is WeChat Pay's primary host with its backup host
            /// ([`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL), then
            /// [`BACKUP_BASE_URL`](crate::BACKUP_BASE_URL)). It must be
            /// `http(s)` without user info, query or fragment (checked by `build`).
            pub fn base_url(mut self, url: impl Into<String>) -> Self {
                self.transport.base_urls = vec![url.into()];
                self
            }

            /// Base URLs in failover order: a request that cannot connect, or
            /// gets a 5xx answer it may retry (see
            /// [`RetryPolicy`](crate::RetryPolicy)), is tried on the next one,
            /// signed afresh. They must share one path, so the signed target is
            /// the same on every host.
            pub fn base_urls<I, S>(mut self, urls: I) -> Self
            where
                I: IntoIterator<Item = S>,
                S: Into<String>,
            {
                self.transport.base_urls = urls.into_iter().map(Into::into).collect();
                self
            }

            /// When and how often requests are tried again (default
            /// [`RetryPolicy::default`](crate::RetryPolicy::default): 3
            /// attempts, only what is safe).
            pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
                self.transport.retry = policy;
                self
            }

            /// Sends every request through this proxy (never a loopback base URL).
            ///
            /// Without `proxy` or [`no_proxy`](Self::no_proxy), the
            /// environment's proxies are used as reqwest reads them
            /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), except
            /// when every base URL is loopback (`127.0.0.0/8`, `::1`,
            /// `localhost`, as for the sandbox): those are always reached directly.
            pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
                self.transport.proxy =
                    crate::transport::options::ProxySetting::Explicit(Box::new(proxy));
                self
            }

            /// Uses no proxy, whatever the environment says.
            pub fn no_proxy(mut self) -> Self {
                self.transport.proxy = crate::transport::options::ProxySetting::None;
                self
            }

            /// Sends with this `reqwest::Client` (its pool, TLS roots, interface
            /// binding, proxies), e.g. shared with the rest of an application
            /// or by many merchants' clients. Build it with
            /// `redirect(reqwest::redirect::Policy::none())`: a followed
            /// redirect sends a signed request somewhere it was not signed
            /// for. `connect_timeout`, `user_agent`, the proxy settings and the
            /// TLS roots here do not apply to it; the request and download
            /// timeouts and the size limits do.
            pub fn http_client(mut self, client: reqwest::Client) -> Self {
                self.transport.http_client = Some(client);
                self
            }

            /// Total time allowed for one request, answer included (default
            /// 30 s). File downloads have their own,
            /// [`download_timeout`](Self::download_timeout).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.transport.timeout = timeout;
                self
            }

            /// Time allowed to connect (default 10 s).
            pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.transport.connect_timeout = timeout;
                self
            }

            /// Replaces the `User-Agent` (default names the SDK, its
            /// version, the platform and the API).
            pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
                self.transport.user_agent = Some(user_agent.into());
                self
            }

            /// Trusts only this PEM certificate (and others given the same
            /// way) as the server's root, e.g. a sandbox's self-signed
            /// certificate; the default trusts the platform's roots. A
            /// certificate that does not parse fails `build`.
            pub fn tls_root_certificate_pem(mut self, pem: &[u8]) -> Self {
                // Checked by our own parser first: reqwest accepts text
                // that holds no certificate at all.
                let checked = std::str::from_utf8(pem)
                    .map_err(|_| "not UTF-8 PEM text".to_owned())
                    .and_then(|text| crate::Certificate::from_pem(text).map_err(|e| e.to_string()))
                    .and_then(|_| reqwest::Certificate::from_pem(pem).map_err(|e| e.to_string()));
                match checked {
                    Ok(cert) => self.transport.roots.push(cert),
                    Err(e) => {
                        self.transport
                            .root_error
                            .get_or_insert(format!("TLS root certificate: {e}"));
                    }
                }
                self
            }

            /// The largest answer read into memory (default 16 MiB).
            pub fn max_response_bytes(mut self, limit: usize) -> Self {
                self.transport.max_response_bytes = limit;
                self
            }

            /// Total time allowed for one file download (bills, images,
            /// receipts; the APIv2 bills), from connecting to the last byte
            /// (default 10 minutes).
            pub fn download_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.transport.download_timeout = timeout;
                self
            }

            /// The most bytes a file download may bring over the wire
            /// (default 1 GiB); past it the download fails with
            /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge).
            pub fn max_download_bytes(mut self, limit: u64) -> Self {
                self.transport.max_download_bytes = limit;
                self
            }

            /// The most bytes a gzip bill may inflate to (default 4 GiB);
            /// past it the bill download fails with
            /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge)
            /// and `save_to` leaves no file behind.
            pub fn max_inflated_bytes(mut self, limit: u64) -> Self {
                self.transport.max_inflated_bytes = limit;
                self
            }
        }
    };
}
pub(crate) use transport_setters;

pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Parses the base URLs: http(s), no user info, query or fragment, ending
/// in `/`, one shared path.
pub(crate) fn parse_bases(urls: &[String]) -> Result<Vec<reqwest::Url>, Error> {
    if urls.is_empty() {
        return Err(Error::Config(
            "no base URL: base_urls(...) was given an empty list".into(),
        ));
    }
    let mut bases: Vec<reqwest::Url> = Vec::with_capacity(urls.len());
    for url in urls {
        let mut text = url.clone();
        if !text.ends_with('/') {
            text.push('/');
        }
        let base = reqwest::Url::parse(&text)
            .map_err(|e| Error::Config(format!("base URL {url:?}: {e}")))?;
        if !base.username().is_empty() || base.password().is_some() {
            // Not echoed: the user info may hold a password.
            return Err(Error::Config(format!(
                "base URL of host {:?} must be http(s) without user info, query or fragment",
                base.host_str().unwrap_or_default()
            )));
        }
        if !matches!(base.scheme(), "http" | "https")
            || base.query().is_some()
            || base.fragment().is_some()
        {
            return Err(Error::Config(format!(
                "base URL {url:?} must be http(s) without user, query or fragment"
            )));
        }
        if let Some(first) = bases.first() {
            if first.path() != base.path() {
                return Err(Error::Config(format!(
                    "base URLs {:?} and {url:?} have different paths; the signed target must be the same on every host",
                    first.as_str()
                )));
            }
        }
        bases.push(base);
    }
    Ok(bases)
}
