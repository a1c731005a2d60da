//! Wall-clock helpers: unix seconds and WeChat's RFC 3339 timestamps (China
//! Standard Time, `+08:00`), without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in the `+08:00` offset WeChat Pay writes every time in.
const CST_OFFSET_SECS: i64 = 8 * 3600;

/// Now, in unix seconds.
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
}
