//! Sensitive request fields (names, ID numbers, phone numbers ...) are sent
//! RSA-OAEP encrypted with a WeChat Pay key, and the request then carries
//! `Wechatpay-Serial` naming that key.
//!
//! [`Sensitive`] is the type for such a field, at the top of a request or
//! nested in it, in the body or the query: its `Debug` prints `<redacted>`,
//! and it is written only encrypted, with the key of the
//! [`EncodeContext`](crate::EncodeContext) the request is encoded in.
//! [`Client::send`](crate::Client::send) encodes with the client's current
//! WeChat Pay key; [`EncodedRequest::encode`](crate::EncodedRequest::encode)
//! takes the context explicitly, to get the bytes without sending them.
//! Any other serializer refuses a `Sensitive` value, so its plaintext is
//! never written by accident.
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
//! // Without an encoding context there is no key to encrypt with: never plaintext.
//! assert!(serde_json::to_string(&id_number).is_err());
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::ser::Error as _;
use serde::{Deserialize, Serialize, Serializer};

use crate::client::Client;
use crate::error::Error;
use crate::request::serialize::{is_capture, NOT_IN_CONTEXT, SENSITIVE};

/// A sensitive value (a name, an ID, bank or phone number): `Debug` prints
/// `<redacted>`, and serialising it writes it RSA-OAEP encrypted with the
/// WeChat Pay key of the request's [`EncodeContext`](crate::EncodeContext)
/// (any other serializer gets an error, so the plaintext is never written). It has no
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
        serializer.serialize_newtype_struct(SENSITIVE, &Plaintext(self.0.plaintext()))
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

/// Removed: a field is encrypted by its type, [`Sensitive<T>`], whose
/// `Debug` is redacted, not by `#[serde(serialize_with = "...")]` on a
/// plain `String` that `Debug` prints. This function is left only so the
/// old spelling fails with that fix: its bound has no implementation, so no
/// use of it compiles.
#[doc(hidden)]
pub fn encrypt<T: removed::EncryptedByItsType + ?Sized, S: Serializer>(
    _value: &T,
    _serializer: S,
) -> Result<S::Ok, S::Error> {
    Err(S::Error::custom(NOT_IN_CONTEXT))
}

mod removed {
    /// Implemented by nothing: see [`encrypt`](super::encrypt).
    #[diagnostic::on_unimplemented(
        message = "`serialize_with = \"wxpay_core::sensitive::encrypt\"` no longer encrypts a field: a sensitive field says so by its type, `Sensitive<T>`",
        label = "this `{Self}` would print in `Debug`",
        note = "help: remove `serialize_with` and type the field `Sensitive<{Self}>` (an `Option` stays outside: `Option<Sensitive<T>>`), e.g. `pub name: Sensitive<&'a str>`; it is encrypted wherever it is nested and prints `<redacted>` in `Debug`"
    )]
    pub trait EncryptedByItsType {}
}

/// The plaintext inside the sensitive mark: given only to the encoder's
/// capturing serializer, refused to any other.
struct Plaintext<'a>(Option<&'a str>);

impl Serialize for Plaintext<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !is_capture::<S>() {
            return Err(S::Error::custom(NOT_IN_CONTEXT));
        }
        match self.0 {
            Some(text) => serializer.serialize_str(text),
            None => serializer.serialize_none(),
        }
    }
}
