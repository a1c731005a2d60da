//! `wxpay doctor`: checks a configuration the way WeChat Pay will, offline
//! where it can ([`local`]: files, keys, certificates) and against the
//! configured hosts where it must ([`remote`]: reachability through the
//! proxy, the clock, the request and answer signatures, the APIv3 key).
//!
//! How a probe is sent is [`probe`]'s; what its answers say of WeChat Pay's
//! keys, [`answers`]'.
//!
//! Every check prints one line (`ok`, `warn`, `skip` or `FAIL`), and every
//! failure a `fix:` line; the exit status is that of the most basic class
//! that failed ([`Class`], listed in `wxpay doctor --help`). Nothing secret
//! is printed: keys are described by their file, never shown.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::args::{DoctorArgs, Settings};
use crate::config::Resolved;

mod answers;
mod local;
mod probe;
mod remote;

/// What a failed check is about. Each class has its exit status; when
/// several fail, the lowest is returned (fix that one first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// A setting is missing, or a file is unreadable or not what it should be.
    Settings,
    /// A key file is readable by its group or others.
    Permissions,
    /// The merchant's private key, certificate or serial: WeChat Pay
    /// refuses the request signature (`SIGN_ERROR`).
    Merchant,
    /// WeChat Pay's keys: the public key id or key, the platform certificates.
    WechatPayKeys,
    /// The APIv3 key.
    ApiV3Key,
    /// The local clock.
    Clock,
    /// A host that cannot be reached.
    Network,
}

impl Class {
    /// The exit status of this class.
    pub fn exit_code(self) -> u8 {
        match self {
            Class::Settings => 2,
            Class::Permissions => 10,
            Class::Merchant => 11,
            Class::WechatPayKeys => 12,
            Class::ApiV3Key => 13,
            Class::Clock => 14,
            Class::Network => 15,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Class::Settings => "settings",
            Class::Permissions => "key file permissions",
            Class::Merchant => "the merchant's private key, certificate or serial",
            Class::WechatPayKeys => "WeChat Pay's public key or platform certificates",
            Class::ApiV3Key => "the APIv3 key",
            Class::Clock => "the local clock",
            Class::Network => "reaching WeChat Pay",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warn,
    Skip,
    Fail(Class),
}

#[derive(Debug)]
struct Finding {
    status: Status,
    check: String,
    detail: String,
    fix: Option<String>,
}

/// The findings, in the order the checks ran.
#[derive(Debug, Default)]
pub struct Report {
    findings: Vec<Finding>,
}

impl Report {
    fn push(&mut self, status: Status, check: &str, detail: String, fix: Option<String>) {
        self.findings.push(Finding {
            status,
            check: check.to_owned(),
            detail,
            fix,
        });
    }

    /// A check that passed.
    pub fn ok(&mut self, check: &str, detail: impl Into<String>) {
        self.push(Status::Ok, check, detail.into(), None);
    }

    /// Something that works today but should be fixed.
    pub fn warn(&mut self, check: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(Status::Warn, check, detail.into(), Some(fix.into()));
    }

    /// A check that could not run, and why.
    pub fn skip(&mut self, check: &str, why: impl Into<String>) {
        self.push(Status::Skip, check, why.into(), None);
    }

    /// A check that failed, and how to fix it.
    pub fn fail(
        &mut self,
        class: Class,
        check: &str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(Status::Fail(class), check, detail.into(), Some(fix.into()));
    }

    /// Whether a check of `class` failed.
    pub fn failed(&self, class: Class) -> bool {
        self.findings
            .iter()
            .any(|f| f.status == Status::Fail(class))
    }

    /// The most basic class that failed.
    fn worst(&self) -> Option<Class> {
        self.findings
            .iter()
            .filter_map(|f| match f.status {
                Status::Fail(class) => Some(class),
                _ => None,
            })
            .min()
    }

    fn render(&self) -> String {
        let width = self
            .findings
            .iter()
            .map(|f| f.check.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for finding in &self.findings {
            let status = match finding.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Skip => "skip",
                Status::Fail(_) => "FAIL",
            };
            let _ = writeln!(
                out,
                "{status:<5} {:<width$}  {}",
                finding.check, finding.detail
            );
            if let Some(fix) = &finding.fix {
                let _ = writeln!(out, "{:<5} {:<width$}  fix: {fix}", "", "");
            }
        }
        let failures = self
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail(_)))
            .count();
        let warnings = self
            .findings
            .iter()
            .filter(|f| f.status == Status::Warn)
            .count();
        match self.worst() {
            None if warnings == 0 => out.push_str("\nEvery check passed.\n"),
            None => {
                let _ = writeln!(out, "\nNo check failed; {warnings} warning(s).");
            }
            Some(class) => {
                let _ = writeln!(
                    out,
                    "\n{failures} check(s) failed; exit {} ({}: fix that first).",
                    class.exit_code(),
                    class.describe()
                );
            }
        }
        out
    }

    /// The exit status: 0, or that of the most basic class that failed.
    pub fn exit_code(&self) -> u8 {
        self.worst().map_or(0, Class::exit_code)
    }
}

/// Runs every check and prints the report; returns the exit status.
pub async fn run(settings: &Settings, args: &DoctorArgs) -> u8 {
    let mut report = Report::default();
    match Resolved::from_settings(settings) {
        Ok(config) => {
            let loaded = local::check(&config, &mut report);
            if args.offline {
                report.skip("hosts", "--offline: no request sent");
            } else {
                remote::check(&config, &loaded, &mut report).await;
            }
        }
        Err(e) => report.fail(
            Class::Settings,
            "settings",
            e.to_string(),
            "correct the flag, the environment variable or the profile file named above",
        ),
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(report.render().as_bytes());
    let _ = stdout.flush();
    report.exit_code()
}

/// Unix seconds now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Serials compared as numbers written in hex: case and leading zeros aside.
fn same_serial(a: &str, b: &str) -> bool {
    a.trim_start_matches('0')
        .eq_ignore_ascii_case(b.trim_start_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_basic_failed_class_decides_the_exit_status() {
        let mut report = Report::default();
        report.ok("a", "fine");
        report.warn("b", "drifting", "sync");
        assert_eq!(report.exit_code(), 0);
        report.fail(Class::Network, "host", "unreachable", "check DNS");
        report.fail(Class::Merchant, "serial", "wrong", "set it");
        assert_eq!(report.exit_code(), 11);
        let text = report.render();
        assert!(text.contains("FAIL  serial  wrong\n"), "{text}");
        assert!(text.contains("      fix: set it\n") || text.contains("fix: set it"));
        assert!(text.ends_with("2 check(s) failed; exit 11 (the merchant's private key, certificate or serial: fix that first).\n"), "{text}");
    }

    #[test]
    fn serials_compare_as_hex_numbers() {
        assert!(same_serial("0a1B", "A1b"));
        assert!(!same_serial("A1B", "A1C"));
    }
}
