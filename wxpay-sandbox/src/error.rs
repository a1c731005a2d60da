//! The one error type of the crate: what can stop a sandbox from starting.

use std::path::PathBuf;

/// Why a sandbox could not be configured, started or written to disk.
///
/// `Display` says why; no variant returns a `source()` (as with
/// `wxpay_core::Error`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {error}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The operating system's answer.
        error: std::io::Error,
    },
    /// A key or certificate could not be loaded or generated.
    #[error(transparent)]
    Key(#[from] wxpay_core::KeyError),
    /// A client of the core (the sandbox's own, APIv2) failed.
    #[error(transparent)]
    Core(#[from] wxpay_core::Error),
    /// An RSA or AES operation of the core's key types failed.
    #[error(transparent)]
    Crypto(#[from] wxpay_core::CryptoError),
    /// The operating system's randomness failed (ids, nonces, keys).
    #[error("the operating system's random number generator failed: {0}")]
    Entropy(String),
    /// A notification (callback) the sandbox sent got no usable answer.
    #[error("the notification was not delivered: {0}")]
    Callback(String),
    /// An X.509 certificate could not be built.
    #[error("cannot build certificate: {0}")]
    Certificate(String),
    /// The configuration is inconsistent (the message says what to change).
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The sandbox refused a lifecycle action (e.g. paying a closed order);
    /// `code` is the WeChat-style code the control API answers with.
    #[error("{code}: {message}")]
    Rejected {
        /// `ORDER_NOT_EXIST`, `ORDER_CLOSED`, `ORDER_PAID`, ...
        code: String,
        /// What was wrong.
        message: String,
    },
    /// A file of the credentials directory could not be read or written.
    #[error("{}: {error}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
}

impl From<x509_cert::der::Error> for SandboxError {
    fn from(e: x509_cert::der::Error) -> Self {
        SandboxError::Certificate(e.to_string())
    }
}
