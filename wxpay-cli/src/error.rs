//! The one error of the command line, its report on stderr and its exit status.

use std::fmt::Write as _;
use std::process::ExitCode;

use wxpay_core::bills::BillError;
use wxpay_core::{CryptoError, Error};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Settings missing or invalid, unreadable files.
    #[error("{0}")]
    Config(String),
    /// The command line was used wrongly in a way clap cannot tell.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a local file or stream failed.
    #[error("{0}")]
    Io(String),
    /// Calling WeChat Pay (or verifying what it sent) failed.
    #[error(transparent)]
    Wxpay(#[from] Error),
    /// WeChat Pay has no bill for that day (yet): what to do, and its answer.
    #[error("{advice}")]
    BillUnavailable {
        /// When to ask again, or that the day was empty.
        advice: String,
        /// WeChat Pay's `NO_STATEMENT_EXIST` / `STATEMENT_CREATING`.
        source: Error,
    },
    /// A bill file could not be read, or does not add up.
    #[error("{file}")]
    Bill {
        /// The file.
        file: String,
        /// What is wrong with it.
        source: BillError,
    },
    /// `bill reconcile` found differences (they were printed).
    #[error("{0}")]
    Differ(String),
}

/// Exit statuses (also listed in `wxpay --help`).
pub mod exit {
    /// WeChat Pay answered with an error.
    pub const API: u8 = 1;
    /// Usage or configuration, a wrong key included: an APIv3 key that does
    /// not decrypt what WeChat Pay sent.
    pub const USAGE: u8 = 2;
    /// A signature, certificate or hash did not verify.
    pub const VERIFICATION: u8 = 3;
    /// Network or timeout: the outcome is unknown.
    pub const TRANSPORT: u8 = 4;
    /// Anything else (local I/O, an answer that does not decode, a value
    /// that does not decrypt with the merchant key).
    pub const OTHER: u8 = 5;
    /// A bill and the merchant's records differ.
    pub const DIFFER: u8 = 6;
}

impl CliError {
    /// The exit status for this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Config(_) | CliError::Usage(_) => exit::USAGE,
            CliError::Io(_) => exit::OTHER,
            CliError::BillUnavailable { .. } => exit::API,
            CliError::Differ(_) => exit::DIFFER,
            CliError::Bill { source, .. } => match source {
                BillError::SummaryMismatch { .. } => exit::VERIFICATION,
                BillError::Download(e) => wxpay_exit(e),
                _ => exit::OTHER,
            },
            CliError::Wxpay(e) => wxpay_exit(e),
        })
    }

    /// The report printed on stderr: WeChat's code, message and Request-ID on
    /// separate lines for an API error, the reason for a verification failure.
    pub fn report(&self) -> String {
        let api = match self {
            CliError::Wxpay(e) => e.as_api(),
            _ => None,
        };
        // An API error's fields follow one per line; the summary need not repeat them.
        let mut out = match api {
            Some(_) => "wxpay: WeChat Pay answered with an error\n".to_owned(),
            None => format!("wxpay: {}\n", chain(self)),
        };
        if let CliError::Wxpay(e) = self {
            if let Some(api) = api {
                let _ = writeln!(out, "  status:     {}", api.status);
                if !api.code.is_empty() {
                    let _ = writeln!(out, "  code:       {}", api.code);
                }
                if !api.message.is_empty() {
                    let _ = writeln!(out, "  message:    {}", api.message);
                }
                if let Some(detail) = &api.detail {
                    let _ = writeln!(out, "  detail:     {detail}");
                }
                if !api.signature_verified {
                    let _ = writeln!(
                        out,
                        "  (the error answer was not signed: it may come from a gateway, not WeChat Pay)"
                    );
                }
            }
            // Other errors carry the Request-ID in their summary already.
            if let (Some(id), Some(_)) = (e.request_id(), api) {
                let _ = writeln!(out, "  Request-ID: {id}");
            }
        }
        out
    }
}

/// The exit status of a failed call.
fn wxpay_exit(e: &Error) -> u8 {
    match e {
        Error::Api(_) => exit::API,
        Error::Verification { .. } => exit::VERIFICATION,
        Error::Transport(_) | Error::Timeout => exit::TRANSPORT,
        Error::Config(_) | Error::Key(_) | Error::InvalidRequest(_) => exit::USAGE,
        // What WeChat Pay sent verified, so a tag that does not match is
        // the APIv3 key's fault: a configuration error.
        Error::Crypto {
            reason: CryptoError::AeadAuthentication | CryptoError::InvalidApiV3Key(_),
            ..
        } => exit::USAGE,
        _ => exit::OTHER,
    }
}

/// The error and its sources, `: `-joined; a level that only repeats the
/// one before it (a transparent wrapper) is said once.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut last = out.clone();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if text != last {
            out.push_str(": ");
            out.push_str(&text);
        }
        last = text;
        source = e.source();
    }
    out
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e.to_string())
    }
}
