//! Sensitive request fields (names, ID numbers, phone numbers ...) are sent
//! RSA-OAEP encrypted with the current WeChat Pay key, and the request then
//! carries `Wechatpay-Serial` naming that key.
//!
//! [`Sensitive`] is the type for such a field, at the top of a request or
//! nested in it: its `Debug` prints `<redacted>` and it serialises
//! encrypted, inside [`Client::send`](crate::Client::send), which picks the
//! key from the client's keyring and sets the header. On hand-declared
//! endpoints `#[wxpay(encrypt)]` on a text field does the same, as does
//! `#[serde(serialize_with = "wxpay_core::sensitive::encrypt")]` on a
//! nested struct's field.
//!
//! Fields WeChat Pay returns encrypted are [`Encrypted`]: one call,
//! [`Encrypted::decrypt`], gives the plaintext (as a [`Sensitive`]).
//!
//! ```
//! use wxpay_core::sensitive::Sensitive;
//!
//! let id_number = Sensitive::new("110101199003074477");
//! assert_eq!(format!("{id_number:?}"), "Sensitive(<redacted>)");
//! assert_eq!(*id_number.expose(), "110101199003074477");
//! // Outside `Client::send` there is no key to encrypt with: never plaintext.
//! assert!(serde_json::to_string(&id_number).is_err());
//! ```

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::ser::Error as _;
use serde::{Deserialize, Serialize, Serializer};

use crate::client::Client;
use crate::crypto::PublicKey;
use crate::error::Error;
use crate::keyring::Keyring;

/// A sensitive value (a name, an ID, bank or phone number): `Debug` prints
/// `<redacted>`, and serialising it writes it RSA-OAEP encrypted with the
/// WeChat Pay key that [`Client::send`](crate::Client::send) chose (outside
/// `send` serialising fails, so the plaintext is never written). It has no
/// `Deserialize`: a value that arrives encrypted is an [`Encrypted`] until
/// the caller decrypts it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a plaintext value.
    pub const fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The plaintext, for the code that must read it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The plaintext, unwrapped.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T: SensitiveValue> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        encrypt(&self.0, serializer)
    }
}

impl<T: SensitiveValue> SensitiveValue for Sensitive<T> {
    fn plaintext(&self) -> Option<&str> {
        self.0.plaintext()
    }
}

/// A field WeChat Pay returned RSA-OAEP encrypted with the merchant's key
/// (base64). [`decrypt`](Encrypted::decrypt) reads it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Encrypted(String);

impl Encrypted {
    /// Wraps a ciphertext (base64), as WeChat Pay sends it.
    pub fn new(ciphertext: impl Into<String>) -> Self {
        Encrypted(ciphertext.into())
    }

    /// The ciphertext, base64.
    pub fn ciphertext(&self) -> &str {
        &self.0
    }

    /// The plaintext, decrypted with the client's merchant private key.
    pub fn decrypt(&self, client: &Client) -> Result<Sensitive<String>, Error> {
        client.decrypt_sensitive(&self.0).map(Sensitive)
    }
}

impl fmt::Debug for Encrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Encrypted({} base64 chars)", self.0.len())
    }
}

struct Context {
    keyring: Keyring,
    chosen: Option<(String, PublicKey)>,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Restores the previous context even if encoding unwinds.
struct Reset(Option<Context>);

impl Drop for Reset {
    fn drop(&mut self) {
        let previous = self.0.take();
        CONTEXT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Runs `encode` with `keyring` available to sensitive fields; returns its
/// result and the serial of the key used, if any field was encrypted.
pub(crate) fn with_keyring<R>(
    keyring: &Keyring,
    encode: impl FnOnce() -> R,
) -> (R, Option<String>) {
    let previous = CONTEXT.with(|c| {
        c.borrow_mut().replace(Context {
            keyring: keyring.clone(),
            chosen: None,
        })
    });
    let reset = Reset(previous);
    let result = encode();
    let used = CONTEXT.with(|c| {
        c.borrow_mut()
            .as_mut()
            .and_then(|ctx| ctx.chosen.take())
            .map(|(serial, _)| serial)
    });
    drop(reset);
    (result, used)
}

/// A value that can be sent as a sensitive field: text, or an `Option` of text.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an encrypted field",
    label = "sensitive fields must be strings or an `Option` of a string"
)]
pub trait SensitiveValue {
    /// The plaintext, or `None` for an absent value.
    fn plaintext(&self) -> Option<&str>;
}

impl SensitiveValue for str {
    fn plaintext(&self) -> Option<&str> {
        Some(self)
    }
}
impl SensitiveValue for String {
    fn plaintext(&self) -> Option<&str> {
        Some(self)
    }
}
impl SensitiveValue for Cow<'_, str> {
    fn plaintext(&self) -> Option<&str> {
        Some(self)
    }
}
impl<T: SensitiveValue + ?Sized> SensitiveValue for &T {
    fn plaintext(&self) -> Option<&str> {
        (**self).plaintext()
    }
}
impl<T: SensitiveValue> SensitiveValue for Option<T> {
    fn plaintext(&self) -> Option<&str> {
        self.as_ref().and_then(SensitiveValue::plaintext)
    }
}

/// `serialize_with` function: writes the field RSA-OAEP encrypted (base64)
/// with the WeChat Pay key [`Client::send`](crate::Client::send) chose; `None` stays `null`.
pub fn encrypt<T: SensitiveValue + ?Sized, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let Some(plaintext) = value.plaintext() else {
        return serializer.serialize_none();
    };
    let ciphertext = CONTEXT.with(|c| {
        let mut slot = c.borrow_mut();
        let ctx = slot.as_mut().ok_or_else(|| {
            S::Error::custom("a sensitive field can only be serialised by Client::send (it needs the WeChat Pay key)")
        })?;
        if ctx.chosen.is_none() {
            let key = ctx.keyring.encryption_key().ok_or_else(|| {
                S::Error::custom(
                    "no WeChat Pay public key or valid platform certificate to encrypt sensitive fields with",
                )
            })?;
            ctx.chosen = Some((key.serial().to_owned(), key.public_key().clone()));
        }
        let (_, key) = ctx.chosen.as_ref().ok_or_else(|| S::Error::custom("no encryption key"))?;
        key.encrypt_oaep_base64(plaintext).map_err(S::Error::custom)
    })?;
    serializer.serialize_str(&ciphertext)
}
