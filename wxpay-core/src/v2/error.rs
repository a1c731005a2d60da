//! What can go wrong with an APIv2 call, beside what [`Error`](crate::Error)
//! already names (transport, timeouts, bad signatures).

/// An APIv2 failure: WeChat's `return_code`/`result_code` answers, XML that
/// is refused, a missing certificate. Reached through [`Error::V2`](crate::Error::V2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum V2Error {
    /// `return_code` was not `SUCCESS`: the call failed before any business
    /// logic ran (bad sign, bad parameters, missing certificate). WeChat does
    /// not sign these answers, so they are reported as said, unverified.
    #[error("APIv2 call failed: return_code {return_code}: {return_msg}")]
    Communication {
        /// `return_code` (`FAIL`, or whatever else was sent).
        return_code: String,
        /// `return_msg`, empty if absent.
        return_msg: String,
    },
    /// `return_code` was `SUCCESS` (and the answer verified) but
    /// `result_code` was not: a business failure, e.g. `USERPAYING`,
    /// `ORDERNOTEXIST`, `NOTENOUGH`.
    #[error("APIv2 business failure {err_code}: {err_code_des}")]
    Business {
        /// `result_code` (`FAIL`).
        result_code: String,
        /// `err_code`, empty if absent.
        err_code: String,
        /// `err_code_des`, empty if absent.
        err_code_des: String,
    },
    /// The XML is malformed or not the flat `<xml><field>value</field>...</xml>` APIv2 uses.
    #[error("malformed APIv2 XML: {0}")]
    Xml(String),
    /// The XML declares a document type (`<!DOCTYPE ...>`): refused, as are
    /// the entity definitions a DTD could bring (XXE).
    #[error("APIv2 XML with a document type declaration is refused")]
    Doctype,
    /// The XML refers to an entity other than the five XML predefines.
    #[error("APIv2 XML refers to the undefined entity &{0};")]
    Entity(String),
    /// The operation needs the merchant API certificate (mutual TLS) and the
    /// client has none.
    #[error("{0} needs the merchant API certificate: configure V2ClientBuilder::merchant_certificate_pkcs12 or merchant_certificate_pem")]
    CertificateRequired(String),
    /// The APIv2 key is empty or not printable ASCII.
    #[error("the APIv2 key must be non-empty printable ASCII, got {0} bytes")]
    InvalidKey(usize),
    /// The refund notification's `req_info` could not be decrypted.
    #[error("refund notification req_info: {0}")]
    ReqInfo(&'static str),
    /// The merchant API certificate's PKCS#12 file could not be read (a
    /// wrong password, an unsupported algorithm ...).
    #[error("cannot read the merchant API certificate (PKCS#12): {0}")]
    Pkcs12(crate::v2::Pkcs12Error),
    /// Fields that do not fit the type asked for
    /// ([`from_fields`](super::from_fields)): a field that is not a number,
    /// a required one missing. The message names the field.
    #[error("APIv2 fields do not fit the answer type: {0}")]
    Fields(String),
    /// A request parameter name is not `[A-Za-z0-9_]+`.
    #[error("invalid APIv2 parameter name {0:?}")]
    InvalidParam(String),
}
