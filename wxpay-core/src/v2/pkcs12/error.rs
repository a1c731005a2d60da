//! Why a PKCS#12 file was refused.

/// A PKCS#12 (`.p12`, `.pfx`) file that could not be read. Reached through
/// [`V2Error::Pkcs12`](crate::v2::V2Error::Pkcs12). No message holds the
/// password or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The bytes are not DER PKCS#12 (RFC 7292) where the reader expected the
    /// named part (BER with indefinite lengths is not read either).
    #[error("malformed PKCS#12: {0}")]
    Malformed(&'static str),
    /// More bytes, content infos, bags, attributes or iterations in total
    /// than any merchant certificate file holds.
    #[error("PKCS#12 {what} exceed the limit of {limit}")]
    Limit {
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// An iteration count past the reader's limit (it bounds the time a file
    /// can make the reader spend).
    #[error("PKCS#12 iteration count {found} exceeds the limit of {limit}")]
    Iterations {
        /// The count in the file (saturated at `u64::MAX`).
        found: u64,
        /// The limit.
        limit: u32,
    },
    /// An algorithm (or integrity mode, or content type) the reader does not
    /// implement, named by its object identifier.
    #[error("unsupported PKCS#12 {what} {oid}")]
    Unsupported {
        /// Which role the algorithm plays (e.g. `MAC digest`, `encryption`).
        what: &'static str,
        /// The object identifier, dotted.
        oid: String,
    },
    /// The file has no MAC: its content could have been altered unnoticed.
    #[error("the PKCS#12 file has no MAC (password integrity), refused")]
    NoMac,
    /// The MAC does not match: the password is wrong (WeChat's is the
    /// merchant id) or the file was altered. The two cannot be told apart.
    #[error("the PKCS#12 MAC does not match: wrong password (for WeChat's apiclient_cert.p12, the merchant id) or an altered file")]
    MacMismatch,
    /// Encrypted content did not decrypt to well-padded plaintext.
    #[error("PKCS#12 content does not decrypt")]
    Decrypt,
    /// The file holds no private key.
    #[error("the PKCS#12 file holds no private key")]
    NoKey,
    /// The file holds more than one private key (a merchant file holds one).
    #[error("the PKCS#12 file holds more than one private key")]
    SeveralKeys,
    /// No certificate could be matched with the private key (by
    /// `localKeyId`, by being the only one, or by an RSA key's modulus).
    #[error("the PKCS#12 file holds no certificate for its private key")]
    NoCertificate,
}
