//! China Standard Time (UTC+8, no daylight saving): the only time zone
//! WeChat Pay writes. A moment is kept as unix seconds; the calendar is the
//! proleptic Gregorian one, without a date-time dependency.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{BillDate, BillError};

/// Seconds of the `+08:00` offset.
pub(crate) const CHINA_OFFSET_SECS: i64 = 8 * 3600;
const DAY_SECS: i64 = 86_400;

/// A moment, shown in China Standard Time (`+08:00`) as WeChat Pay writes
/// it: `2019-02-19 05:01:46` in bills, `2019-02-19T05:01:46+08:00` in JSON.
///
/// ```
/// use wxpay_core::bills::ChinaTime;
///
/// let t: ChinaTime = "2019-02-19 05:01:46".parse()?;
/// assert_eq!(t.unix_seconds(), 1_550_523_706);
/// assert_eq!(t.to_rfc3339(), "2019-02-19T05:01:46+08:00");
/// assert_eq!(t.date().to_string(), "2019-02-19");
/// assert_eq!(ChinaTime::parse_rfc3339("2019-02-18T21:01:46Z"), Some(t));
/// # Ok::<(), wxpay_core::bills::BillError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChinaTime(i64);

impl ChinaTime {
    /// The moment `secs` seconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix_seconds(secs: i64) -> Self {
        ChinaTime(secs)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Now, by the system clock.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// The China calendar day of this moment.
    pub fn date(self) -> BillDate {
        BillDate::from_days((self.0 + CHINA_OFFSET_SECS).div_euclid(DAY_SECS))
    }

    /// Seconds since midnight China time.
    pub fn seconds_of_day(self) -> u32 {
        // rem_euclid of 86 400 always fits.
        (self.0 + CHINA_OFFSET_SECS).rem_euclid(DAY_SECS) as u32
    }

    /// `2019-02-19T05:01:46+08:00`.
    pub fn to_rfc3339(self) -> String {
        let s = self.seconds_of_day();
        format!(
            "{}T{:02}:{:02}:{:02}+08:00",
            self.date(),
            s / 3600,
            s % 3600 / 60,
            s % 60
        )
    }

    /// An RFC 3339 time with an offset (`2019-02-19T05:01:46+08:00`, `Z`,
    /// fractions of a second dropped); `None` if it is not one.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let date: BillDate = text.get(..10)?.parse().ok()?;
        let rest = text.get(10..)?.strip_prefix(['T', 't'])?;
        let seconds = time_of_day(rest.get(..8)?)?;
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
                let minutes = time_of_day(&format!("{}:00", zone.get(1..6)?))? / 60;
                if zone.len() != 6 {
                    return None;
                }
                sign * minutes * 60
            }
        };
        Some(ChinaTime(date.days() * DAY_SECS + seconds - offset))
    }

    /// The same moment as a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        match u64::try_from(self.0) {
            Ok(secs) => UNIX_EPOCH + Duration::from_secs(secs),
            Err(_) => UNIX_EPOCH - Duration::from_secs(self.0.unsigned_abs()),
        }
    }

    /// This moment moved by `secs` seconds (saturating).
    pub const fn plus_seconds(self, secs: i64) -> Self {
        ChinaTime(self.0.saturating_add(secs))
    }

    pub(crate) fn from_date_and_seconds(date: BillDate, seconds: i64) -> Self {
        ChinaTime(date.days() * DAY_SECS + seconds - CHINA_OFFSET_SECS)
    }
}

/// `HH:mm:ss` to seconds since midnight.
fn time_of_day(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let (h, l) = (b[i], b[i + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| i64::from((h - b'0') * 10 + (l - b'0')))
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    (h < 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

impl From<SystemTime> for ChinaTime {
    fn from(t: SystemTime) -> Self {
        ChinaTime(match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        })
    }
}

impl From<ChinaTime> for SystemTime {
    fn from(t: ChinaTime) -> Self {
        t.to_system_time()
    }
}

impl fmt::Display for ChinaTime {
    /// The bill form, `2019-02-19 05:01:46` (China time).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds_of_day();
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date(),
            s / 3600,
            s % 3600 / 60,
            s % 60
        )
    }
}

impl fmt::Debug for ChinaTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl FromStr for ChinaTime {
    type Err = BillError;

    /// The bill form `yyyy-MM-dd HH:mm:ss` (China time), or RFC 3339.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_bill_time(s)
            .or_else(|| Self::parse_rfc3339(s))
            .ok_or_else(|| {
                BillError::invalid_value(0, "time", s, "a time such as 2019-02-19 05:01:46")
            })
    }
}

/// `yyyy-MM-dd HH:mm:ss` in China time.
pub(crate) fn parse_bill_time(text: &str) -> Option<ChinaTime> {
    if text.len() != 19 || text.as_bytes()[10] != b' ' {
        return None;
    }
    let date: BillDate = text[..10].parse().ok()?;
    let seconds = time_of_day(&text[11..])?;
    Some(ChinaTime::from_date_and_seconds(date, seconds))
}

impl serde::Serialize for ChinaTime {
    /// RFC 3339 with the `+08:00` offset.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bill_times_are_china_time() {
        let t = parse_bill_time("2024-02-29 23:59:59").unwrap();
        assert_eq!(t.unix_seconds(), 1_709_222_399);
        assert_eq!(t.to_string(), "2024-02-29 23:59:59");
        assert_eq!(t.date().to_string(), "2024-02-29");
        assert_eq!(t.plus_seconds(1).date().to_string(), "2024-03-01");
        assert_eq!(
            ChinaTime::from_unix_seconds(0).to_rfc3339(),
            "1970-01-01T08:00:00+08:00"
        );
        for bad in [
            "2024-02-30 00:00:00",
            "2024-02-29T23:59:59",
            "2024-02-29 24:00:00",
            "2024-02-29 23:60:00",
            "2024-2-29 23:59:59",
            "",
        ] {
            assert_eq!(parse_bill_time(bad), None, "{bad:?}");
        }
        assert_eq!(
            ChinaTime::parse_rfc3339("2024-02-29T23:59:59.5+08:00"),
            Some(t)
        );
        assert_eq!(ChinaTime::parse_rfc3339("2024-02-29T15:59:59Z"), Some(t));
        assert_eq!(
            ChinaTime::parse_rfc3339("2024-02-29T10:59:59-05:00"),
            Some(t)
        );
        assert_eq!(ChinaTime::parse_rfc3339("2024-02-29T23:59:59"), None);
        assert_eq!(ChinaTime::from(t.to_system_time()), t);
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 59, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
