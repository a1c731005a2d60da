//! String enums that survive values WeChat adds later.

use std::fmt;

/// A wire value an enum did not know when this SDK was built.
///
/// Only the SDK can create one (while decoding), so a caller can never send a
/// misspelt value by accident; it still round-trips unchanged.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    #[doc(hidden)]
    pub fn __new(value: String) -> Self {
        Self(value)
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Declares a string enum: `#[non_exhaustive]`, `as_str`, `Display`,
/// `FromStr` (never fails), serde as the wire string, and unknown values kept
/// in a hidden variant so decoding never fails on a value WeChat adds later.
///
/// ```
/// wxpay_core::string_enum! {
///     /// 分账结果
///     pub enum SplitResult {
///         /// 处理中
///         Processing = "PROCESSING",
///         /// 成功
///         Success = "SUCCESS",
///     }
/// }
/// let r: SplitResult = serde_json::from_str("\"SUCCESS\"").unwrap();
/// assert_eq!(r, SplitResult::Success);
/// let new: SplitResult = serde_json::from_str("\"CLOSED\"").unwrap();
/// assert_eq!(new.as_str(), "CLOSED");
/// assert_eq!(serde_json::to_string(&new).unwrap(), "\"CLOSED\"");
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            #[doc(hidden)]
            __Unknown($crate::UnknownValue),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::__Unknown(v) => v.as_str(),
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::__Unknown(_))
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $( Self::$variant => f.write_str(stringify!($variant)), )*
                    Self::__Unknown(v) => write!(f, "Unknown({:?})", v.as_str()),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(match s {
                    $( $wire => Self::$variant, )*
                    other => Self::__Unknown($crate::UnknownValue::__new(other.into())),
                })
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let s: ::std::borrow::Cow<'de, str> =
                    $crate::__private::serde::Deserialize::deserialize(deserializer)?;
                match s.parse() {
                    ::core::result::Result::Ok(v) => ::core::result::Result::Ok(v),
                    ::core::result::Result::Err(never) => match never {},
                }
            }
        }
    };
}
