//! Which query fields `#[wxpay_api]` refuses at compile time: those whose
//! type is known to serialise as a JSON object.

/// Types that serialise as a JSON object, which has no query-string form:
/// maps, and `Option`s, references, boxes and sequences of them.
///
/// [`#[wxpay_api]`](crate::wxpay_api) refuses a query field of such a type
/// at compile time and names the fix: `#[serde(flatten)]`, which spreads the
/// entries into the query. Implement it for a struct of your own to get the
/// same check; a type that does not implement it (a scalar, an enum, your
/// own struct) compiles as before, and an object is still refused when the
/// request is encoded.
pub trait QueryObject {}

impl<K, V, S> QueryObject for std::collections::HashMap<K, V, S> {}
impl<K, V> QueryObject for std::collections::BTreeMap<K, V> {}
impl QueryObject for serde_json::Map<String, serde_json::Value> {}
impl<T: QueryObject + ?Sized> QueryObject for &T {}
impl<T: QueryObject + ?Sized> QueryObject for Box<T> {}
impl<T: QueryObject> QueryObject for Option<T> {}
impl<T: QueryObject> QueryObject for Vec<T> {}
impl<T: QueryObject> QueryObject for [T] {}

/// What `#[wxpay_api]` checks a query field with (not public API): a method
/// call on `&&Probe<T>` picks `ViaObject` when `T: QueryObject` and `ViaAny`
/// otherwise (autoref specialisation), and only the first answers a type that
/// is not a `QueryForm`. Zero-sized; nothing is left of it at run time.
#[doc(hidden)]
pub mod probe {
    use std::marker::PhantomData;

    /// Stands for a field's type.
    pub struct Probe<T: ?Sized>(PhantomData<T>);

    impl<T: ?Sized> Probe<T> {
        /// The probe of `T`.
        pub fn new() -> Self {
            Probe(PhantomData)
        }
    }

    impl<T: ?Sized> Default for Probe<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    /// A field with a query form, or one that is checked when encoded.
    pub struct Flat;

    /// A field whose type is a [`QueryObject`](super::QueryObject).
    pub struct NestedObject;

    /// Chosen for a [`QueryObject`](super::QueryObject).
    pub trait ViaObject {
        /// The field has no query form.
        fn __wxpay_query_form(&self) -> NestedObject {
            NestedObject
        }
    }
    impl<T: super::QueryObject + ?Sized> ViaObject for &Probe<T> {}

    /// Chosen for any other type.
    pub trait ViaAny {
        /// The field has a query form, or is checked when encoded.
        fn __wxpay_query_form(&self) -> Flat {
            Flat
        }
    }
    impl<T: ?Sized> ViaAny for Probe<T> {}

    #[diagnostic::on_unimplemented(
        message = "a nested object cannot be a query parameter",
        label = "this type serialises as an object, which has no query form",
        note = "help: spread its entries into the query with `#[serde(flatten)]` on the field, \
                or give the field a scalar type (text, a number, a boolean, an enum)"
    )]
    /// What a query field's probe must answer.
    pub trait QueryForm {}
    impl QueryForm for Flat {}

    /// Fails to compile for a [`NestedObject`].
    pub fn require_query_form<F: QueryForm>(_: F) {}
}
