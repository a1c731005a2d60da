//! Fault injection: ways the sandbox can misbehave on purpose so client tests
//! can check that every failure becomes the right typed error.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The request header that selects a fault for one request, e.g.
/// `Wxpay-Sandbox-Fault: tampered-body` or `Wxpay-Sandbox-Fault: delay=1500`.
///
/// It is not part of the signed request message, so any SDK can add it.
pub const FAULT_HEADER: &str = "Wxpay-Sandbox-Fault";

/// The longest [`Fault::Delay`] the sandbox honours; longer delays are cut to it
/// so that a typo cannot hang a test run.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// The delay of a bare `delay` (no `=MILLIS`) in the header or on the command line.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(5);

/// A way the sandbox misbehaves. Off by default; select one per request
/// ([`FAULT_HEADER`], [`Sandbox::inject`](crate::Sandbox::inject)) or per run
/// ([`Sandbox::set_fault`](crate::Sandbox::set_fault)).
///
/// The request itself is handled normally first (it is verified, and a
/// creation is stored), as when WeChat Pay did the work but the answer went
/// wrong on the way back; the fault then changes what the client receives.
///
/// The text form (used by the header and `--fault`) is given for each variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `delay=MILLIS` (or `delay`: 5 s): answer only after this long (at most [`MAX_DELAY`]).
    Delay(Duration),
    /// `server-error`: answer 500 `{"code":"SYSTEM_ERROR",...}`, signed, as WeChat does.
    ServerError,
    /// `connection-reset`: close the connection with a TCP reset and no response.
    ConnectionReset,
    /// `truncated-body`: send the headers with the full `Content-Length`, half
    /// the body, then close the connection.
    TruncatedBody,
    /// `tampered-body`: sign the real body, then send a changed one (an amount
    /// increased, or a field added).
    TamperedBody,
    /// `wrong-signature`: `Wechatpay-Signature` signs another message.
    WrongSignature,
    /// `unknown-serial`: a valid signature, but `Wechatpay-Serial` names a key
    /// the client does not have.
    UnknownSerial,
    /// `stale-timestamp`: a valid signature over a `Wechatpay-Timestamp` ten
    /// minutes old, outside the 300 s window.
    StaleTimestamp,
    /// `missing-headers`: no `Wechatpay-*` headers at all (`Request-ID` stays).
    MissingHeaders,
    /// `redirect`: `302 Found` back to the same target (a client must not follow it).
    Redirect,
}

impl Fault {
    /// Every fault, each once (the delay at its default), e.g. to loop over in a test.
    pub const ALL: [Fault; 10] = [
        Fault::Delay(DEFAULT_DELAY),
        Fault::ServerError,
        Fault::ConnectionReset,
        Fault::TruncatedBody,
        Fault::TamperedBody,
        Fault::WrongSignature,
        Fault::UnknownSerial,
        Fault::StaleTimestamp,
        Fault::MissingHeaders,
        Fault::Redirect,
    ];
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Fault::Delay(d) => return write!(f, "delay={}", d.as_millis()),
            Fault::ServerError => "server-error",
            Fault::ConnectionReset => "connection-reset",
            Fault::TruncatedBody => "truncated-body",
            Fault::TamperedBody => "tampered-body",
            Fault::WrongSignature => "wrong-signature",
            Fault::UnknownSerial => "unknown-serial",
            Fault::StaleTimestamp => "stale-timestamp",
            Fault::MissingHeaders => "missing-headers",
            Fault::Redirect => "redirect",
        };
        f.write_str(name)
    }
}

/// A fault name that is not one of [`Fault`]'s text forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault {0:?}: expected delay[=MILLIS], server-error, connection-reset, truncated-body, tampered-body, wrong-signature, unknown-serial, stale-timestamp, missing-headers or redirect")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let unknown = || UnknownFault(text.to_owned());
        Ok(match text.to_ascii_lowercase().as_str() {
            "delay" => Fault::Delay(DEFAULT_DELAY),
            "server-error" => Fault::ServerError,
            "connection-reset" => Fault::ConnectionReset,
            "truncated-body" => Fault::TruncatedBody,
            "tampered-body" => Fault::TamperedBody,
            "wrong-signature" => Fault::WrongSignature,
            "unknown-serial" => Fault::UnknownSerial,
            "stale-timestamp" => Fault::StaleTimestamp,
            "missing-headers" => Fault::MissingHeaders,
            "redirect" => Fault::Redirect,
            other => {
                let millis = other.strip_prefix("delay=").ok_or_else(unknown)?;
                let millis: u64 = millis.parse().map_err(|_| unknown())?;
                Fault::Delay(Duration::from_millis(millis))
            }
        })
    }
}

/// The faults armed on a running sandbox: one-shot ones first, in order, then
/// the per-run one.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    once: VecDeque<Fault>,
    every: Option<Fault>,
}

impl FaultPlan {
    pub(crate) fn new(every: Option<Fault>) -> Self {
        Self {
            once: VecDeque::new(),
            every,
        }
    }

    pub(crate) fn inject(&mut self, fault: Fault) {
        self.once.push_back(fault);
    }

    pub(crate) fn set_every(&mut self, fault: Option<Fault>) {
        self.every = fault;
    }

    /// The fault for the request that just arrived.
    pub(crate) fn next(&mut self) -> Option<Fault> {
        self.once.pop_front().or(self.every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for fault in Fault::ALL {
            assert_eq!(fault.to_string().parse::<Fault>().unwrap(), fault);
        }
        assert_eq!(
            "delay=1500".parse::<Fault>().unwrap(),
            Fault::Delay(Duration::from_millis(1500))
        );
        assert_eq!(
            " Tampered-Body ".parse::<Fault>().unwrap(),
            Fault::TamperedBody
        );
        for bad in ["", "slow", "delay=", "delay=-1", "delay=1s"] {
            assert!(bad.parse::<Fault>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn one_shot_faults_come_before_the_per_run_fault() {
        let mut plan = FaultPlan::new(Some(Fault::Redirect));
        plan.inject(Fault::ServerError);
        plan.inject(Fault::TamperedBody);
        assert_eq!(plan.next(), Some(Fault::ServerError));
        assert_eq!(plan.next(), Some(Fault::TamperedBody));
        assert_eq!(plan.next(), Some(Fault::Redirect));
        plan.set_every(None);
        assert_eq!(plan.next(), None);
    }
}
