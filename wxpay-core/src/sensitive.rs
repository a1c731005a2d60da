//! Sensitive request fields (names, ID numbers, phone numbers ...) are sent
//! RSA-OAEP encrypted with the current WeChat Pay key, and the request then
//! carries `Wechatpay-Serial` naming that key.
//!
//! `#[wxpay(encrypt)]` marks such a field on a request struct; on nested
//! structs use `#[serde(serialize_with = "wxpay_core::sensitive::encrypt")]`.
//! Either way the encryption happens inside [`Client::send`](crate::Client::send),
//! which picks the key from the client's keyring and sets the header.

use std::borrow::Cow;
use std::cell::RefCell;

use serde::ser::Error as _;
use serde::Serializer;

use crate::crypto::PublicKey;
use crate::keyring::Keyring;

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
