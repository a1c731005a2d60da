//! Typed values to and from the flat APIv2 field map: a request struct is
//! written as `name → text`, an answer's fields are read into a struct.
//!
//! Writing goes through `serde_json::Value` (already compiled for APIv3, so no
//! second serializer to build): text as is, numbers and booleans as their
//! decimal or `true`/`false` text, `None` (null) left out, and objects or
//! arrays (the fields WeChat wants as JSON text, like `detail` or
//! `scene_info`) as compact JSON. Reading is a small deserializer over the
//! text values: a field asks for a number and the text is parsed, an absent
//! field is `None`, an empty one is `None` too when optional.

use std::collections::BTreeMap;

use serde::de::value::{Error as DeError, MapDeserializer};
use serde::de::{DeserializeOwned, Error as _, IntoDeserializer, Visitor};
use serde::{forward_to_deserialize_any, Deserializer, Serialize};

use super::error::V2Error;
use crate::error::Error;

/// Writes a request struct as APIv2 fields (see the module docs).
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Query<'a> {
///     appid: &'a str,
///     total_fee: i64,
///     attach: Option<&'a str>,
/// }
/// let fields = wxpay_core::v2::to_fields(&Query { appid: "wx1", total_fee: 100, attach: None })?;
/// assert_eq!(fields["total_fee"], "100");
/// assert!(!fields.contains_key("attach"));
/// # Ok::<(), wxpay_core::Error>(())
/// ```
pub fn to_fields<T: Serialize + ?Sized>(value: &T) -> Result<BTreeMap<String, String>, Error> {
    let value = serde_json::to_value(value)
        .map_err(|e| Error::InvalidRequest(format!("APIv2 fields: {e}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(Error::InvalidRequest(
            "APIv2 fields: the request must serialise as a struct or map".into(),
        ));
    };
    let mut fields = BTreeMap::new();
    for (name, value) in object {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(text) => text,
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            nested => nested.to_string(),
        };
        fields.insert(name, text);
    }
    Ok(fields)
}

/// Reads APIv2 fields into `T` (see the module docs). The error
/// ([`V2Error::Fields`]) names the field whose text does not fit.
///
/// ```
/// use std::collections::BTreeMap;
///
/// #[derive(serde::Deserialize)]
/// struct Paid {
///     transaction_id: String,
///     total_fee: i64,
///     attach: Option<String>,
/// }
/// let fields: BTreeMap<String, String> = [("transaction_id", "4200"), ("total_fee", "100")]
///     .into_iter()
///     .map(|(k, v)| (k.to_owned(), v.to_owned()))
///     .collect();
/// let paid: Paid = wxpay_core::v2::from_fields(&fields).unwrap();
/// assert_eq!(paid.total_fee, 100);
/// assert!(paid.attach.is_none());
/// ```
pub fn from_fields<T: DeserializeOwned>(fields: &BTreeMap<String, String>) -> Result<T, V2Error> {
    let map = MapDeserializer::new(
        fields
            .iter()
            .map(|(name, value)| (name.as_str(), Text { name, text: value })),
    );
    T::deserialize(map).map_err(|e| V2Error::Fields(e.to_string()))
}

/// One field's text, read as whatever the target asks for.
#[derive(Clone, Copy)]
struct Text<'a> {
    name: &'a str,
    text: &'a str,
}

impl Text<'_> {
    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, DeError> {
        self.text.trim().parse().map_err(|_| {
            DeError::custom(format_args!(
                "field `{}`: {:?} is not {what}",
                self.name, self.text
            ))
        })
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Text<'_> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_number {
    ($($method:ident $visit:ident $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                visitor.$visit(self.parse::<$ty>($what)?)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Text<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    parse_number! {
        deserialize_i8 visit_i8 i8, "an integer";
        deserialize_i16 visit_i16 i16, "an integer";
        deserialize_i32 visit_i32 i32, "an integer";
        deserialize_i64 visit_i64 i64, "an integer";
        deserialize_u8 visit_u8 u8, "an unsigned integer";
        deserialize_u16 visit_u16 u16, "an unsigned integer";
        deserialize_u32 visit_u32 u32, "an unsigned integer";
        deserialize_u64 visit_u64 u64, "an unsigned integer";
        deserialize_f32 visit_f32 f32, "a number";
        deserialize_f64 visit_f64 f64, "a number";
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.text.trim() {
            "true" | "TRUE" | "Y" | "1" => visitor.visit_bool(true),
            "false" | "FALSE" | "N" | "0" => visitor.visit_bool(false),
            _ => Err(DeError::custom(format_args!(
                "field `{}`: {:?} is not a boolean",
                self.name, self.text
            ))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // WeChat sends some unused fields empty (`<attach><![CDATA[]]></attach>`).
        if self.text.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.text.into_deserializer())
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Request<'a> {
        appid: &'a str,
        fee: i64,
        flag: bool,
        skipped: Option<&'a str>,
        detail: serde_json::Value,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Answer {
        fee: i64,
        ok: Option<bool>,
        rate: f64,
        empty: Option<i64>,
        missing: Option<String>,
        #[serde(flatten)]
        other: BTreeMap<String, String>,
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn requests_become_text_fields() {
        let fields = to_fields(&Request {
            appid: "wx1",
            fee: -5,
            flag: true,
            skipped: None,
            detail: serde_json::json!({"goods_detail": [{"goods_id": "g", "quantity": 1}]}),
        })
        .unwrap();
        assert_eq!(
            fields,
            map(&[
                ("appid", "wx1"),
                (
                    "detail",
                    r#"{"goods_detail":[{"goods_id":"g","quantity":1}]}"#
                ),
                ("fee", "-5"),
                ("flag", "true"),
            ])
        );
        assert!(to_fields(&5).is_err());
    }

    #[test]
    fn answers_are_parsed_per_field_with_the_rest_kept() {
        let answer: Answer = from_fields(&map(&[
            ("fee", "100"),
            ("ok", "Y"),
            ("rate", "6.5"),
            ("empty", ""),
            ("coupon_fee_0", "3"),
        ]))
        .unwrap();
        assert_eq!(answer.fee, 100);
        assert_eq!(answer.ok, Some(true));
        assert_eq!(answer.rate, 6.5);
        assert_eq!(answer.empty, None);
        assert_eq!(answer.missing, None);
        assert_eq!(answer.other, map(&[("coupon_fee_0", "3")]));

        let err = from_fields::<Answer>(&map(&[("fee", "1x"), ("rate", "1")])).unwrap_err();
        assert_eq!(
            err,
            V2Error::Fields(r#"field `fee`: "1x" is not an integer"#.into())
        );
        let err = from_fields::<Answer>(&map(&[("rate", "1")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "APIv2 fields do not fit the answer type: missing field `fee`"
        );
    }
}
