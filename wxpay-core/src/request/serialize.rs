//! Serialising a request through its [`EncodeContext`]: a serde serializer
//! that wraps another one (serde_json's writer, or its `Value` builder) and
//! passes everything through, except two marked values:
//!
//! - a sensitive value ([`Sensitive`](crate::sensitive::Sensitive)), written
//!   as its RSA-OAEP ciphertext under the context's WeChat Pay key;
//! - a calling-merchant field, written as the context's merchant id (and
//!   refused when it names another merchant).
//!
//! The marks are newtype structs with reserved names. Their contents are
//! readable only by this module's [`Capture`] serializer: any other
//! serializer (plain `serde_json::to_string` included) gets an error for a
//! sensitive value, so its plaintext is never written by accident.

use serde::ser::{self, Impossible, Serialize, Serializer};
use zeroize::Zeroizing;

use super::context::EncodeContext;

/// The newtype name that marks a sensitive value.
pub(crate) const SENSITIVE: &str = "$wxpay::sensitive";
/// The newtype name that marks a calling-merchant field.
pub(crate) const CALLING_MERCHANT: &str = "$wxpay::calling_merchant";

/// Serialises `value` into `inner` through `cx`.
pub(crate) fn serialize_with<T, S>(
    value: &T,
    inner: S,
    cx: &EncodeContext<'_>,
) -> Result<S::Ok, S::Error>
where
    T: Serialize + ?Sized,
    S: Serializer,
{
    value.serialize(WithContext { inner, cx })
}

/// Whether `S` is the capturing serializer, the only one a marked value
/// hands its contents to.
pub(crate) fn is_capture<S: ?Sized>() -> bool {
    typeid::of::<S>() == typeid::of::<Capture>()
}

/// The message a sensitive value gives any serializer but ours.
pub(crate) const NOT_IN_CONTEXT: &str = "a sensitive field is only ever written encrypted: \
     send the request with a client, or encode it with EncodedRequest::encode and an \
     EncodeContext that has an Encryptor";

struct WithContext<'c, 'a, S> {
    inner: S,
    cx: &'c EncodeContext<'a>,
}

/// A value to be serialised through the context, as an element of a
/// compound the wrapped serializer builds.
struct Wrap<'v, 'c, 'a, T: ?Sized> {
    value: &'v T,
    cx: &'c EncodeContext<'a>,
}

impl<T: Serialize + ?Sized> Serialize for Wrap<'_, '_, '_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(WithContext {
            inner: serializer,
            cx: self.cx,
        })
    }
}

impl<'c, 'a, S: Serializer> WithContext<'c, 'a, S> {
    fn wrap<'v, T: ?Sized>(&self, value: &'v T) -> Wrap<'v, 'c, 'a, T> {
        Wrap { value, cx: self.cx }
    }

    fn write_sensitive<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let Some(plaintext) = value.serialize(Capture).map_err(ser::Error::custom)? else {
            return self.inner.serialize_none();
        };
        let encryptor = self.cx.encryptor().ok_or_else(|| {
            ser::Error::custom(
                "a sensitive field needs a WeChat Pay key to be encrypted with: configure \
                 wechatpay_public_key(...) or auto_certificates(...) on the client, or give the \
                 EncodeContext an Encryptor",
            )
        })?;
        let ciphertext = encryptor
            .encrypt(&plaintext)
            .map_err(|e| ser::Error::custom(format!("encrypting a sensitive field: {e}")))?;
        self.cx.mark_encrypted();
        self.inner.serialize_str(&ciphertext)
    }

    fn write_calling_merchant<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let given = value.serialize(Capture).map_err(ser::Error::custom)?;
        let mchid = self.cx.mchid();
        match given {
            None if mchid.is_empty() => Err(ser::Error::custom(
                "a calling-merchant field was left for the client to fill, but the request is \
                 encoded without a merchant: give the id, or encode it with EncodeContext::new(mchid)",
            )),
            None => self.inner.serialize_str(mchid),
            Some(id) if mchid.is_empty() || *id == *mchid => self.inner.serialize_str(&id),
            Some(id) => Err(ser::Error::custom(format!(
                "the request names merchant {:?} where the calling merchant goes, but the client \
                 is merchant {mchid:?}: leave the field `None` to send the client's own id",
                &*id
            ))),
        }
    }
}

macro_rules! pass_through {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        }
    )*};
}

impl<'c, 'a, S: Serializer> Serializer for WithContext<'c, 'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'c, 'a, S::SerializeSeq>;
    type SerializeTuple = Compound<'c, 'a, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'c, 'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'c, 'a, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'c, 'a, S::SerializeMap>;
    type SerializeStruct = Compound<'c, 'a, S::SerializeStruct>;
    type SerializeStructVariant = Compound<'c, 'a, S::SerializeStructVariant>;

    pass_through! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let value = self.wrap(value);
        self.inner.serialize_some(&value)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        match name {
            SENSITIVE => self.write_sensitive(value),
            CALLING_MERCHANT => self.write_calling_merchant(value),
            _ => {
                let value = self.wrap(value);
                self.inner.serialize_newtype_struct(name, &value)
            }
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let value = self.wrap(value);
        self.inner
            .serialize_newtype_variant(name, index, variant, &value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let cx = self.cx;
        Ok(Compound::new(self.inner.serialize_seq(len)?, cx))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        let cx = self.cx;
        Ok(Compound::new(self.inner.serialize_tuple(len)?, cx))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        let cx = self.cx;
        Ok(Compound::new(
            self.inner.serialize_tuple_struct(name, len)?,
            cx,
        ))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let cx = self.cx;
        let inner = self
            .inner
            .serialize_tuple_variant(name, index, variant, len)?;
        Ok(Compound::new(inner, cx))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let cx = self.cx;
        Ok(Compound::new(self.inner.serialize_map(len)?, cx))
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let cx = self.cx;
        Ok(Compound::new(self.inner.serialize_struct(name, len)?, cx))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let cx = self.cx;
        let inner = self
            .inner
            .serialize_struct_variant(name, index, variant, len)?;
        Ok(Compound::new(inner, cx))
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A compound the wrapped serializer builds, whose elements go through the
/// context too.
pub(crate) struct Compound<'c, 'a, C> {
    inner: C,
    cx: &'c EncodeContext<'a>,
}

impl<'c, 'a, C> Compound<'c, 'a, C> {
    fn new(inner: C, cx: &'c EncodeContext<'a>) -> Self {
        Self { inner, cx }
    }

    fn wrap<'v, T: ?Sized>(&self, value: &'v T) -> Wrap<'v, 'c, 'a, T> {
        Wrap { value, cx: self.cx }
    }
}

/// Forwards a compound's elements (or fields) through the context.
macro_rules! forward_compound {
    ($($trait:ident::$method:ident$(($key:ident))?;)*) => {$(
        impl<C: ser::$trait> ser::$trait for Compound<'_, '_, C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: &'static str,)?
                value: &T,
            ) -> Result<(), C::Error> {
                let value = self.wrap(value);
                self.inner.$method($($key,)? &value)
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.inner.end()
            }
        }
    )*};
}

forward_compound! {
    SerializeSeq::serialize_element;
    SerializeTuple::serialize_element;
    SerializeTupleStruct::serialize_field;
    SerializeTupleVariant::serialize_field;
}

impl<C: ser::SerializeMap> ser::SerializeMap for Compound<'_, '_, C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        let key = self.wrap(key);
        self.inner.serialize_key(&key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        let value = self.wrap(value);
        self.inner.serialize_value(&value)
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

/// The struct-like compounds, whose fields may also be skipped.
macro_rules! forward_struct {
    ($($trait:ident),*) => {$(
        impl<C: ser::$trait> ser::$trait for Compound<'_, '_, C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), C::Error> {
                let value = self.wrap(value);
                self.inner.serialize_field(key, &value)
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.inner.skip_field(key)
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.inner.end()
            }
        }
    )*};
}

forward_struct!(SerializeStruct, SerializeStructVariant);

/// Reads the text inside a marked value: `Some` for a string, `None` for
/// an absent value; anything else is an error. The one serializer marked
/// values give their contents to.
pub(crate) struct Capture;

/// Why a marked value could not be read.
#[derive(Debug)]
pub(crate) struct CaptureError(String);

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CaptureError {}

impl ser::Error for CaptureError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        CaptureError(msg.to_string())
    }
}

fn not_text<T>() -> Result<T, CaptureError> {
    Err(CaptureError(
        "an encrypted or calling-merchant field must hold text (or an Option of text)".into(),
    ))
}

macro_rules! refuse {
    ($($method:ident($($ty:ty),*);)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Self::Ok, CaptureError> {
            not_text()
        }
    )*};
}

impl Serializer for Capture {
    type Ok = Option<Zeroizing<String>>;
    type Error = CaptureError;
    type SerializeSeq = Impossible<Self::Ok, CaptureError>;
    type SerializeTuple = Impossible<Self::Ok, CaptureError>;
    type SerializeTupleStruct = Impossible<Self::Ok, CaptureError>;
    type SerializeTupleVariant = Impossible<Self::Ok, CaptureError>;
    type SerializeMap = Impossible<Self::Ok, CaptureError>;
    type SerializeStruct = Impossible<Self::Ok, CaptureError>;
    type SerializeStructVariant = Impossible<Self::Ok, CaptureError>;

    fn serialize_str(self, v: &str) -> Result<Self::Ok, CaptureError> {
        Ok(Some(Zeroizing::new(v.to_owned())))
    }
    fn serialize_none(self) -> Result<Self::Ok, CaptureError> {
        Ok(None)
    }
    fn serialize_unit(self) -> Result<Self::Ok, CaptureError> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, CaptureError> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, CaptureError> {
        value.serialize(self)
    }

    refuse! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_bytes(&[u8]);
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, CaptureError> {
        not_text()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, CaptureError> {
        not_text()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, CaptureError> {
        not_text()
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, CaptureError> {
        not_text()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, CaptureError> {
        not_text()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, CaptureError> {
        not_text()
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, CaptureError> {
        not_text()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, CaptureError> {
        not_text()
    }
}
