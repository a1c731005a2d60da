//! WeChat Pay's keys, as it keeps them: a platform key (served as a
//! certificate or a public key) per merchant. Merchants registered without
//! one of their own share the sandbox's; a merchant given its own
//! ([`Merchant::with_own_platform`](crate::Merchant::with_own_platform))
//! signs, lists and rotates apart, which is what a service routing
//! notifications by `Wechatpay-Serial` relies on.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use wxpay_core::{Certificate, PublicKey};

use crate::error::SandboxError;
use crate::identity::{generate_public_key_id, KeyMode, Platform};
use crate::sandbox::{DEFAULT_VALIDITY, PLATFORM_SUBJECT};

/// One platform identity: the key signing now, and those rotated out.
#[derive(Clone)]
struct Slot {
    current: Arc<Platform>,
    /// Still listed by `v3/certificates` until they expire, and signing an
    /// answer only when the request names them.
    retired: Vec<Arc<Platform>>,
}

impl Slot {
    fn new(platform: Platform) -> Self {
        Self {
            current: Arc::new(platform),
            retired: Vec::new(),
        }
    }
}

/// The sandbox's platform key and the merchants' own.
pub(crate) struct Platforms {
    shared: RwLock<Slot>,
    own: RwLock<HashMap<String, Slot>>,
}

/// What a merchant's WeChat Pay key is, as a client trusts it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlatformKeys {
    /// How it is presented.
    pub mode: KeyMode,
    /// What `Wechatpay-Serial` carries: the certificate serial, or the
    /// public key id in public-key mode.
    pub serial: String,
    /// The platform certificate (certificate mode).
    pub certificate: Option<Certificate>,
    /// The public key (both modes).
    pub public_key: PublicKey,
    /// The WeChat Pay public key id (`PUB_KEY_ID_...`).
    pub public_key_id: String,
}

impl PlatformKeys {
    fn of(platform: &Platform) -> Self {
        Self {
            mode: platform.mode,
            serial: platform.serial.clone(),
            certificate: platform.certificate.clone(),
            public_key: platform.key.public_key().clone(),
            public_key_id: platform.public_key_id.clone(),
        }
    }
}

fn relock<T>(r: std::sync::LockResult<T>) -> T {
    r.unwrap_or_else(|e| e.into_inner())
}

impl Platforms {
    pub(crate) fn new(shared: Platform) -> Self {
        Self {
            shared: RwLock::new(Slot::new(shared)),
            own: RwLock::new(HashMap::new()),
        }
    }

    /// The slot of `mchid`: its own, else the shared one.
    fn slot(&self, mchid: Option<&str>) -> Slot {
        if let Some(slot) = mchid.and_then(|m| relock(self.own.read()).get(m).cloned()) {
            return slot;
        }
        relock(self.shared.read()).clone()
    }

    /// The key signing now for `mchid` (`None`: the sandbox's own).
    pub(crate) fn current(&self, mchid: Option<&str>) -> Arc<Platform> {
        self.slot(mchid).current
    }

    /// What a client of `mchid` trusts now.
    pub(crate) fn keys(&self, mchid: Option<&str>) -> PlatformKeys {
        PlatformKeys::of(&self.current(mchid))
    }

    /// The key an answer to `mchid` is signed with: the one `named` (by the
    /// request's `Wechatpay-Serial`) when it is among the merchant's and its
    /// certificate is valid, else the current one.
    pub(crate) fn signing(&self, mchid: Option<&str>, named: Option<&str>) -> Arc<Platform> {
        let slot = self.slot(mchid);
        let Some(named) = named.filter(|n| *n != slot.current.serial) else {
            return slot.current;
        };
        let now = crate::clock::unix_now();
        slot.retired
            .iter()
            .find(|p| {
                p.serial == named && p.certificate.as_ref().is_some_and(|c| c.is_valid_at(now))
            })
            .cloned()
            .unwrap_or(slot.current)
    }

    /// The certificates `v3/certificates` lists for `mchid`: the one signing
    /// now, then those rotated out and still valid; `None` in public-key mode.
    pub(crate) fn listed(&self, mchid: Option<&str>) -> Option<Vec<Certificate>> {
        let slot = self.slot(mchid);
        let current = slot.current.certificate.clone()?;
        let now = crate::clock::unix_now();
        let older = slot
            .retired
            .iter()
            .rev()
            .filter_map(|p| p.certificate.clone())
            .filter(|c| c.is_valid_at(now));
        Some(std::iter::once(current).chain(older).collect())
    }

    /// Whether `mchid` has a platform key of its own.
    pub(crate) fn has_own(&self, mchid: &str) -> bool {
        relock(self.own.read()).contains_key(mchid)
    }

    /// Gives `mchid` this platform key of its own (keeping one it has, and
    /// its rotations, when registered again).
    pub(crate) fn give_own(&self, mchid: &str, platform: Arc<Platform>) {
        relock(self.own.write())
            .entry(mchid.to_owned())
            .or_insert_with(|| Slot {
                current: platform,
                retired: Vec::new(),
            });
    }

    /// Rotates the platform certificate of `mchid` (`None`, or a merchant
    /// without its own: the shared one): a new key signs from now on, the
    /// old certificate stays listed until it expires. Returns the new serial.
    pub(crate) fn rotate(&self, mchid: Option<&str>) -> Result<String, SandboxError> {
        let own = mchid.filter(|m| self.has_own(m));
        let rotate = |slot: &mut Slot| -> Result<String, SandboxError> {
            let old = slot.current.clone();
            if old.certificate.is_none() {
                return Err(SandboxError::Config(format!(
                    "{} in public-key mode: there is no platform certificate to rotate",
                    own.map_or("the sandbox runs".to_owned(), |m| format!(
                        "merchant {m} is"
                    ))
                )));
            }
            let mut fresh = generate(KeyMode::Certificate)?;
            fresh.mode = old.mode;
            fresh.public_key_id = old.public_key_id.clone();
            let serial = fresh.serial.clone();
            slot.retired.push(old);
            slot.current = Arc::new(fresh);
            Ok(serial)
        };
        match own {
            Some(mchid) => {
                let mut slots = relock(self.own.write());
                let slot = slots
                    .get_mut(mchid)
                    .ok_or_else(|| SandboxError::Config(format!("no merchant {mchid}")))?;
                rotate(slot)
            }
            None => {
                let mut shared = relock(self.shared.write());
                rotate(&mut shared)
            }
        }
    }
}

/// A fresh platform key, with a certificate valid from a day ago for five
/// years in certificate mode.
pub(crate) fn generate(mode: KeyMode) -> Result<Platform, SandboxError> {
    let key = wxpay_core::unstable::generate_private_key()?;
    let public_key_id = generate_public_key_id()?;
    let certificate = match mode {
        KeyMode::PublicKey => None,
        KeyMode::Certificate => {
            let now = SystemTime::now();
            Some(crate::certgen::self_signed(
                PLATFORM_SUBJECT,
                &key,
                now - DEFAULT_VALIDITY.0,
                now + DEFAULT_VALIDITY.1,
            )?)
        }
    };
    let serial = match &certificate {
        Some(certificate) => certificate.serial().to_owned(),
        None => public_key_id.clone(),
    };
    Ok(Platform {
        key,
        mode,
        serial,
        certificate,
        public_key_id,
    })
}
