//! Settings in three layers: flags, then the environment, then a TOML profile
//! file; keys and certificates are loaded from the files they name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use wxpay_core::{ApiV3Key, Certificate, Client, ClientBuilder, Keyring, PrivateKey, PublicKey};

use crate::args::Settings;
use crate::error::CliError;

/// The table used when no `--profile` is given.
pub const DEFAULT_PROFILE: &str = "default";

/// Request timeout when none is configured.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest key, certificate or APIv3-key file read.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// One table of the profile file. Paths are relative to the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    base_url: Option<String>,
    mchid: Option<String>,
    merchant_certificate: Option<PathBuf>,
    merchant_serial: Option<String>,
    private_key: Option<PathBuf>,
    public_key_id: Option<String>,
    public_key: Option<PathBuf>,
    #[serde(default)]
    platform_certificate: OneOrMany,
    apiv3_key_file: Option<PathBuf>,
    proxy: Option<String>,
    timeout: Option<u64>,
}

/// `platform_certificate = "a.pem"` or `= ["a.pem", "b.pem"]`.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(PathBuf),
    Many(Vec<PathBuf>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<PathBuf> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(p) => vec![p],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Where the APIv3 key comes from (never the command line itself).
#[derive(Debug)]
pub enum KeySource {
    /// A file (its permissions matter).
    File(PathBuf),
    /// `WXPAY_APIV3_KEY`.
    Env,
    /// Asked on the terminal.
    Prompt,
}

/// The settings after layering, not yet loaded.
#[derive(Debug)]
pub struct Resolved {
    base_url: Option<String>,
    mchid: Option<String>,
    merchant_certificate: Option<PathBuf>,
    merchant_serial: Option<String>,
    private_key: Option<PathBuf>,
    public_key_id: Option<String>,
    public_key: Option<PathBuf>,
    platform_certificates: Vec<PathBuf>,
    apiv3_key: Option<KeySource>,
    /// The key once read, so a prompt is answered once per run.
    apiv3_key_loaded: OnceLock<ApiV3Key>,
    proxy: Option<String>,
    timeout: Duration,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Resolved {
    /// Layers flags over the environment over the profile file.
    pub fn from_settings(flags: &Settings) -> Result<Self, CliError> {
        let config = flags
            .config
            .clone()
            .or_else(|| env("WXPAY_CONFIG").map(PathBuf::from));
        let profile_name = flags
            .profile
            .clone()
            .or_else(|| env("WXPAY_PROFILE"))
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let (profile, dir) = match &config {
            Some(path) => (load_profile(path, &profile_name)?, parent(path)),
            None if profile_name != DEFAULT_PROFILE => {
                return Err(CliError::Config(format!(
                    "--profile {profile_name} needs a profile file (--config FILE)"
                )))
            }
            None => (Profile::default(), PathBuf::new()),
        };
        let rel = |p: PathBuf| if p.is_absolute() { p } else { dir.join(p) };
        let mut platform_certificates = flags.platform_certificate.clone();
        if platform_certificates.is_empty() {
            if let Some(path) = env("WXPAY_PLATFORM_CERTIFICATE") {
                platform_certificates.push(path.into());
            }
        }
        if platform_certificates.is_empty() {
            platform_certificates = profile
                .platform_certificate
                .into_vec()
                .into_iter()
                .map(rel)
                .collect();
        }
        let apiv3_key = if let Some(path) = &flags.apiv3_key_file {
            Some(KeySource::File(path.clone()))
        } else if flags.apiv3_key_prompt {
            Some(KeySource::Prompt)
        } else if env("WXPAY_APIV3_KEY").is_some() {
            Some(KeySource::Env)
        } else {
            profile.apiv3_key_file.map(|p| KeySource::File(rel(p)))
        };
        // One layering rule for every setting: flag, then variable, then profile.
        let text = |flag: &Option<String>, var: &str, profile: Option<String>| {
            flag.clone().or_else(|| env(var)).or(profile)
        };
        let file = |flag: &Option<PathBuf>, var: &str, profile: Option<PathBuf>| {
            flag.clone()
                .or_else(|| env(var).map(PathBuf::from))
                .or_else(|| profile.map(rel))
        };
        Ok(Resolved {
            base_url: text(&flags.base_url, "WXPAY_BASE_URL", profile.base_url),
            mchid: text(&flags.mchid, "WXPAY_MCHID", profile.mchid),
            merchant_certificate: file(
                &flags.merchant_certificate,
                "WXPAY_MERCHANT_CERTIFICATE",
                profile.merchant_certificate,
            ),
            merchant_serial: text(
                &flags.merchant_serial,
                "WXPAY_MERCHANT_SERIAL",
                profile.merchant_serial,
            ),
            private_key: file(&flags.private_key, "WXPAY_PRIVATE_KEY", profile.private_key),
            public_key_id: text(
                &flags.public_key_id,
                "WXPAY_PUBLIC_KEY_ID",
                profile.public_key_id,
            ),
            public_key: file(&flags.public_key, "WXPAY_PUBLIC_KEY", profile.public_key),
            platform_certificates,
            apiv3_key,
            apiv3_key_loaded: OnceLock::new(),
            proxy: text(&flags.proxy, "WXPAY_PROXY", profile.proxy),
            timeout: flags
                .timeout
                .or(profile.timeout)
                .map(Duration::from_secs)
                .unwrap_or(DEFAULT_TIMEOUT),
        })
    }

    /// The merchant id.
    pub fn mchid(&self) -> Result<&str, CliError> {
        self.mchid
            .as_deref()
            .ok_or_else(|| missing("merchant id", "--mchid", "WXPAY_MCHID", "mchid"))
    }

    /// The merchant certificate serial.
    pub fn merchant_serial(&self) -> Result<&str, CliError> {
        self.merchant_serial.as_deref().ok_or_else(|| {
            missing(
                "merchant certificate serial",
                "--merchant-serial",
                "WXPAY_MERCHANT_SERIAL",
                "merchant_serial",
            )
        })
    }

    /// The file the merchant private key is read from, if set.
    pub fn private_key_path(&self) -> Option<&Path> {
        self.private_key.as_deref()
    }

    /// The merchant API certificate file, if set.
    pub fn merchant_certificate_path(&self) -> Option<&Path> {
        self.merchant_certificate.as_deref()
    }

    /// The WeChat Pay public key id and key file, as set.
    pub fn public_key_setting(&self) -> (Option<&str>, Option<&Path>) {
        (self.public_key_id.as_deref(), self.public_key.as_deref())
    }

    /// The platform certificate files.
    pub fn platform_certificate_paths(&self) -> &[PathBuf] {
        &self.platform_certificates
    }

    /// Where the APIv3 key comes from, if anywhere.
    pub fn apiv3_key_source(&self) -> Option<&KeySource> {
        self.apiv3_key.as_ref()
    }

    /// The configured base URL, if any.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The configured proxy (`none` for none), if any.
    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }

    /// The merchant private key, loaded.
    pub fn private_key(&self) -> Result<PrivateKey, CliError> {
        let path = self.private_key.as_ref().ok_or_else(|| {
            missing(
                "merchant private key",
                "--private-key FILE",
                "WXPAY_PRIVATE_KEY",
                "private_key",
            )
        })?;
        PrivateKey::from_pem(&read_small(path)?)
            .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))
    }

    /// The APIv3 key, from a file, the environment or the terminal.
    pub fn apiv3_key(&self) -> Result<ApiV3Key, CliError> {
        if let Some(key) = self.apiv3_key_loaded.get() {
            return Ok(key.clone());
        }
        let text = match &self.apiv3_key {
            Some(KeySource::File(path)) => read_small(path)?,
            Some(KeySource::Env) => env("WXPAY_APIV3_KEY").unwrap_or_default(),
            Some(KeySource::Prompt) => rpassword::prompt_password("APIv3 key: ")
                .map_err(|e| CliError::Config(format!("cannot read the APIv3 key: {e}")))?,
            None => {
                return Err(missing(
                    "APIv3 key",
                    "--apiv3-key-file FILE or --apiv3-key-prompt",
                    "WXPAY_APIV3_KEY",
                    "apiv3_key_file",
                ))
            }
        };
        // The key itself never goes into a message.
        let key =
            ApiV3Key::new(text.trim()).map_err(|e| CliError::Config(format!("APIv3 key: {e}")))?;
        Ok(self.apiv3_key_loaded.get_or_init(|| key).clone())
    }

    /// Whether an APIv3 key is configured at all (without reading it).
    pub fn has_apiv3_key(&self) -> bool {
        self.apiv3_key.is_some()
    }

    /// The configured WeChat Pay public key and platform certificates.
    pub fn keyring(&self) -> Result<Keyring, CliError> {
        let keyring = Keyring::new();
        match (&self.public_key_id, &self.public_key) {
            (Some(id), Some(path)) => {
                let key = load_public_key(path)?;
                keyring
                    .add_public_key(id, key)
                    .map_err(|e| CliError::Config(format!("public key {id}: {e}")))?;
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(CliError::Config(
                    "a public key id needs the key: --public-key FILE (WXPAY_PUBLIC_KEY)".into(),
                ))
            }
            (None, Some(_)) => return Err(CliError::Config(
                "a public key needs its id: --public-key-id PUB_KEY_ID_... (WXPAY_PUBLIC_KEY_ID)"
                    .into(),
            )),
        }
        for path in &self.platform_certificates {
            keyring.add_certificate(load_certificate(path)?);
        }
        Ok(keyring)
    }

    /// A client builder for the configured merchant: its id, certificate
    /// or serial, key, base URL, proxy, timeout and user agent; whom to
    /// trust is the caller's.
    pub fn client_builder(&self) -> Result<ClientBuilder, CliError> {
        self.builder(None)
    }

    /// [`client_builder`](Self::client_builder) signing as `serial`, whatever
    /// the merchant certificate says: `wxpay doctor` sends what is
    /// configured to show what WeChat Pay answers it.
    pub fn client_builder_signing_as(&self, serial: &str) -> Result<ClientBuilder, CliError> {
        self.builder(Some(serial))
    }

    fn builder(&self, signing_as: Option<&str>) -> Result<ClientBuilder, CliError> {
        let mut builder = Client::builder().mchid(self.mchid()?);
        match (
            signing_as,
            &self.merchant_certificate,
            &self.merchant_serial,
        ) {
            (Some(serial), _, _) => builder = builder.merchant_serial(serial.to_owned()),
            (None, None, None) => {
                return Err(missing(
                    "merchant certificate",
                    "--merchant-certificate FILE (or --merchant-serial)",
                    "WXPAY_MERCHANT_CERTIFICATE",
                    "merchant_certificate",
                ))
            }
            (None, certificate, serial) => {
                if let Some(path) = certificate {
                    builder = builder.merchant_certificate(read_small(path)?);
                }
                if let Some(serial) = serial {
                    builder = builder.merchant_serial(serial.clone());
                }
            }
        }
        let mut builder = builder
            .private_key(self.private_key()?)
            .timeout(self.timeout)
            .user_agent(format!(
                "wxpay-cli/{} ({} {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            ));
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url.clone());
        }
        match self.proxy.as_deref() {
            None => {}
            Some(NO_PROXY) => builder = builder.no_proxy(),
            Some(url) => {
                let proxy = reqwest::Proxy::all(url)
                    .map_err(|e| CliError::Config(format!("proxy {}: {e}", redact_url(url))))?;
                builder = builder.proxy(proxy);
            }
        }
        Ok(builder)
    }

    /// A client for the configured merchant. With no key to verify answers
    /// configured, the platform certificates are downloaded first (which
    /// needs the APIv3 key) when `bootstrap` is set.
    pub async fn client(&self, bootstrap: bool) -> Result<Client, CliError> {
        let keyring = self.keyring()?;
        let empty = keyring.is_empty();
        let client = self.client_builder()?.keyring(keyring).build()?;
        if empty && bootstrap {
            if !self.has_apiv3_key() {
                return Err(CliError::Config(
                    "nothing to verify WeChat Pay's answers with: give --public-key-id with --public-key, \
                     --platform-certificate FILE, or the APIv3 key to download the certificates"
                        .into(),
                ));
            }
            client.refresh_certificates(&self.apiv3_key()?).await?;
        }
        Ok(client)
    }
}

/// The `proxy` setting that turns proxies off, the environment's included.
pub const NO_PROXY: &str = "none";

/// A URL with any user info (a proxy password) hidden.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn missing(what: &str, flag: &str, env: &str, key: &str) -> CliError {
    CliError::Config(format!(
        "no {what}: give {flag}, set {env}, or put `{key}` in the profile file (--config)"
    ))
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn load_profile(path: &Path, name: &str) -> Result<Profile, CliError> {
    let text = read_small(path)?;
    let mut tables: BTreeMap<String, toml::Value> =
        toml::from_str(&text).map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
    let Some(table) = tables.remove(name) else {
        let known: Vec<_> = tables.keys().map(String::as_str).collect();
        return Err(CliError::Config(format!(
            "{} has no profile [{name}] (it has: {})",
            path.display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    };
    table
        .try_into::<Profile>()
        .map_err(|e| CliError::Config(format!("{} [{name}]: {e}", path.display())))
}

/// A PEM certificate file.
pub fn load_certificate(path: &Path) -> Result<Certificate, CliError> {
    Certificate::from_pem(&read_small(path)?)
        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))
}

/// A PEM public key file.
pub fn load_public_key(path: &Path) -> Result<PublicKey, CliError> {
    PublicKey::from_pem(&read_small(path)?)
        .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))
}

/// Reads a key-sized file, refusing anything large.
pub fn read_small(path: &Path) -> Result<String, CliError> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Config(format!("cannot read {}: {e}", path.display())))?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| CliError::Config(format!("cannot read {}: {e}", path.display())))?;
    if text.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(CliError::Config(format!(
            "{} is larger than {MAX_KEY_FILE_BYTES} bytes",
            path.display()
        )));
    }
    Ok(text)
}
