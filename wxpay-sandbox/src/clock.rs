//! Time: unix seconds and WeChat's RFC 3339 timestamps (China Standard
//! Time, `+08:00`), without a date-time dependency; and [`Clock`], the
//! sandbox's business clock.
//!
//! Two clocks, on purpose. Signatures (the request's timestamp held to
//! ±300 s, the answers' `Wechatpay-Timestamp`) follow the wall clock, as the
//! SDK's own clock does. Everything that happens in the simulated business
//! (when an order is created, paid, refunded, expires; which day a bill
//! covers and when it exists) follows [`Clock`]: the wall clock plus an
//! offset a test moves forward, e.g. to the next morning to fetch a bill.
//! A test may also plant a skew in the signature clock
//! (`SandboxBuilder::signature_clock_skew`), to show a client what a wrong
//! clock of its own does.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in the `+08:00` offset WeChat Pay writes every time in.
const CST_OFFSET_SECS: i64 = 8 * 3600;

/// The hour (China time) of D+1 after which day D's bills can be fetched.
pub(crate) const BILL_READY_HOUR: i64 = 10;

/// The business clock of one sandbox: wall time plus an offset that only
/// moves forward, and whether bills follow WeChat Pay's availability; and
/// the skew of the signature clock, if a test planted one.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: AtomicI64,
    same_day_bills: AtomicBool,
    signature_skew: i64,
}

impl Clock {
    /// A clock that reads `start` now (the wall clock if `None`).
    pub(crate) fn new(start: Option<SystemTime>, same_day_bills: bool) -> Self {
        let offset = start.map_or(0, |t| unix_seconds(t) - unix_now());
        Clock {
            offset: AtomicI64::new(offset),
            same_day_bills: AtomicBool::new(same_day_bills),
            signature_skew: 0,
        }
    }

    /// The clock signatures are made and judged by runs `secs` ahead of the
    /// wall clock (behind if negative), as a client whose clock is off by
    /// `-secs` sees WeChat Pay.
    pub(crate) fn with_signature_skew(mut self, secs: i64) -> Self {
        self.signature_skew = secs;
        self
    }

    /// Now, for signatures: the wall clock, plus the planted skew.
    pub(crate) fn signature_now(&self) -> i64 {
        unix_now().saturating_add(self.signature_skew)
    }

    /// Now, in unix seconds.
    pub(crate) fn now(&self) -> i64 {
        unix_now() + self.offset.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `secs` (never back: what happened stays
    /// in the past); returns the new now.
    pub(crate) fn advance(&self, secs: i64) -> i64 {
        self.offset.fetch_add(secs.max(0), Ordering::Relaxed);
        self.now()
    }

    /// Moves the clock to `unix` if that is later than now; returns the new now.
    pub(crate) fn advance_to(&self, unix: i64) -> i64 {
        let now = self.now();
        self.advance(unix - now)
    }

    /// Moves the clock to 10:00 China time tomorrow, when today's bills can
    /// be fetched (at once if that is past); returns the day whose bills
    /// became available, as days since 1970.
    pub(crate) fn advance_to_bill_time(&self) -> i64 {
        let today = cst_day(self.now());
        self.advance_to(bills_ready_unix(today));
        today
    }

    /// Whether bills of today are served at once (the sandbox's old
    /// behaviour) instead of from 10:00 China time tomorrow.
    pub(crate) fn same_day_bills(&self) -> bool {
        self.same_day_bills.load(Ordering::Relaxed)
    }

    pub(crate) fn set_same_day_bills(&self, on: bool) {
        self.same_day_bills.store(on, Ordering::Relaxed);
    }
}

/// When day `day`'s bills can be fetched: 10:00 China time on the next day.
pub(crate) fn bills_ready_unix(day: i64) -> i64 {
    (day + 1) * 86_400 + BILL_READY_HOUR * 3600 - CST_OFFSET_SECS
}

/// A CST day (days since 1970) as `yyyy-MM-dd`.
pub(crate) fn format_day(day: i64) -> String {
    rfc3339_cst(day * 86_400 - CST_OFFSET_SECS)[..10].to_owned()
}

/// Now by the wall clock, in unix seconds (signatures; the business
/// clock is [`Clock`]).
pub(crate) fn unix_now() -> i64 {
    unix_seconds(SystemTime::now())
}

/// A `SystemTime` in unix seconds (negative before 1970).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// `2018-06-08T10:34:56+08:00`, the form WeChat Pay uses for every time field.
pub(crate) fn rfc3339_cst(unix: i64) -> String {
    let local = unix + CST_OFFSET_SECS;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `2018-06-08 10:34:56`, the CST form of times inside bill files.
pub(crate) fn bill_time(unix: i64) -> String {
    let text = rfc3339_cst(unix);
    format!("{} {}", &text[..10], &text[11..19])
}

/// The CST calendar day of a moment, as days since 1970-01-01.
pub(crate) fn cst_day(unix: i64) -> i64 {
    (unix + CST_OFFSET_SECS).div_euclid(86_400)
}

/// `yyyy-MM-dd` (a CST day, as bills name them) to days since 1970-01-01.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// An RFC 3339 time with an offset (`2018-06-08T10:34:56+08:00`, fractions
/// allowed, `Z` too) to unix seconds; WeChat Pay requires the offset.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let day = parse_date(text.get(..10)?)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix('T')?;
    let b = rest.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let part = rest.get(i..i + 2)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (h, mi, s) = (two(0)?, two(3)?, two(6)?);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut zone = &rest[8..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = &fraction[digits..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if zone.len() != 6 || zone.as_bytes()[3] != b':' {
                return None;
            }
            let (oh, om): (i64, i64) = (zone[1..3].parse().ok()?, zone[4..6].parse().ok()?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(day * 86_400 + h * 3600 + mi * 60 + s - offset)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`, the inverse of `civil_from_days`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_china_standard_time() {
        assert_eq!(rfc3339_cst(0), "1970-01-01T08:00:00+08:00");
        // 2018-06-08T10:34:56+08:00, the example in WeChat's documentation.
        assert_eq!(rfc3339_cst(1_528_425_296), "2018-06-08T10:34:56+08:00");
        // Leap day, and the day boundary moved by the offset.
        assert_eq!(rfc3339_cst(1_709_222_399), "2024-02-29T23:59:59+08:00");
        assert_eq!(rfc3339_cst(1_709_136_000), "2024-02-29T00:00:00+08:00");
    }

    #[test]
    fn parses_what_it_formats() {
        for unix in [
            0,
            1_528_425_296,
            1_709_222_399,
            1_709_136_000,
            4_102_444_800,
        ] {
            assert_eq!(parse_rfc3339(&rfc3339_cst(unix)), Some(unix));
        }
        assert_eq!(parse_rfc3339("2018-06-08T02:34:56Z"), Some(1_528_425_296));
        assert_eq!(
            parse_rfc3339("2018-06-08T10:34:56.123+08:00"),
            Some(1_528_425_296)
        );
        for bad in [
            "2018-06-08",
            "2018-06-08T10:34:56",
            "2018-13-08T10:34:56+08:00",
            "2018-02-30T00:00:00Z",
            "x",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(cst_day(1_709_136_000), 19_782);
        assert_eq!(bill_time(1_528_425_296), "2018-06-08 10:34:56");
        assert_eq!(format_day(19_782), "2024-02-29");
        assert_eq!(
            rfc3339_cst(bills_ready_unix(19_782)),
            "2024-03-01T10:00:00+08:00"
        );
    }

    #[test]
    fn the_business_clock_only_moves_forward() {
        let start = UNIX_EPOCH + std::time::Duration::from_secs(1_709_172_000); // 2024-02-29 10:00 CST
        let clock = Clock::new(Some(start), false);
        assert!((clock.now() - 1_709_172_000).abs() <= 1);
        let before = clock.now();
        assert!(clock.advance(-100) >= before, "never back");
        assert_eq!(clock.advance_to_bill_time(), 19_782);
        assert!(clock.now() >= bills_ready_unix(19_782));
        assert_eq!(cst_day(clock.now()), 19_783);
    }
}
