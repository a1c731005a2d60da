//! Value types the typed endpoints of `wxpay-apis` use for fields whose wire
//! form is a string with more meaning: RFC 3339 date-times ([`Timestamp`]),
//! ids of uploaded media ([`MediaId`]) and JSON carried inside a string
//! ([`JsonString`]).
//!
//! [`Timestamp`] and [`MediaId`] keep the text exactly as sent or received, so
//! decoding never fails on a value WeChat Pay formats a little differently
//! than documented; [`Timestamp::parts`] and [`Timestamp::unix_seconds`] read
//! it when it is valid. Request structs borrow (`Timestamp<&str>`), response
//! structs own (`Timestamp`, which is `Timestamp<String>`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An RFC 3339 date-time as WeChat Pay writes it, e.g. `2018-06-08T10:34:56+08:00`.
///
/// ```
/// use wxpay_core::types::Timestamp;
///
/// let t = Timestamp::new("2018-06-08T10:34:56+08:00");
/// assert_eq!(t.unix_seconds(), Some(1_528_425_296));
/// assert_eq!(Timestamp::from_unix(1_528_425_296, 8 * 60).as_str(), t.as_str());
/// assert!(!Timestamp::new("yesterday").is_valid());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp<S = String>(S);

/// The fields of a valid [`Timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DateTimeParts {
    /// Year, e.g. 2018.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, from 1.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (a leap second).
    pub second: u8,
    /// Fraction of the second, in nanoseconds.
    pub nanosecond: u32,
    /// Offset from UTC in minutes (`+08:00` is 480, `Z` is 0).
    pub offset_minutes: i32,
}

impl<S> Timestamp<S> {
    /// Wraps the text of a date-time. Nothing is checked: WeChat Pay expects
    /// RFC 3339 (`2018-06-08T10:34:56+08:00`); see [`is_valid`](Self::is_valid).
    pub const fn new(text: S) -> Self {
        Self(text)
    }

    /// The text.
    pub fn into_inner(self) -> S {
        self.0
    }
}

impl<S: AsRef<str>> Timestamp<S> {
    /// The text as sent or received.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// Whether the text is a valid RFC 3339 date-time.
    pub fn is_valid(&self) -> bool {
        self.parts().is_some()
    }

    /// The date-time's fields, or `None` if the text is not RFC 3339.
    pub fn parts(&self) -> Option<DateTimeParts> {
        parse_rfc3339(self.as_str())
    }

    /// Seconds since 1970-01-01T00:00:00Z, or `None` if the text is not RFC 3339.
    pub fn unix_seconds(&self) -> Option<i64> {
        let p = self.parts()?;
        let days = days_from_civil(p.year, p.month, p.day);
        let local = days * 86_400
            + i64::from(p.hour) * 3_600
            + i64::from(p.minute) * 60
            + i64::from(p.second);
        Some(local - i64::from(p.offset_minutes) * 60)
    }

    /// Borrows the text: a response's timestamp as a request field.
    pub fn borrowed(&self) -> Timestamp<&str> {
        Timestamp(self.as_str())
    }
}

impl Timestamp<String> {
    /// Formats seconds since the Unix epoch at a UTC offset (in minutes,
    /// `480` for China Standard Time), as WeChat Pay writes date-times.
    pub fn from_unix(seconds: i64, offset_minutes: i32) -> Self {
        let local = seconds + i64::from(offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let offset = offset_minutes.unsigned_abs();
        Self(format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            secs / 3_600,
            secs % 3_600 / 60,
            secs % 60,
            offset / 60,
            offset % 60
        ))
    }
}

impl<S: AsRef<str>> fmt::Debug for Timestamp<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<S: AsRef<str>> fmt::Display for Timestamp<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> From<&'a str> for Timestamp<&'a str> {
    fn from(text: &'a str) -> Self {
        Self(text)
    }
}

impl From<String> for Timestamp<String> {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl<S: AsRef<str>> PartialEq<str> for Timestamp<S> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<S: AsRef<str>> PartialEq<&str> for Timestamp<S> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<S: AsRef<str>> Serialize for Timestamp<S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Timestamp<String> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// The id of a file uploaded with one of the media upload APIs (`media_id`),
/// which other requests then refer to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MediaId<S = String>(S);

impl<S> MediaId<S> {
    /// Wraps a media id as an upload API returned it.
    pub const fn new(id: S) -> Self {
        Self(id)
    }

    /// The id.
    pub fn into_inner(self) -> S {
        self.0
    }
}

impl<S: AsRef<str>> MediaId<S> {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// Borrows the id: a response's media id as a request field.
    pub fn borrowed(&self) -> MediaId<&str> {
        MediaId(self.as_str())
    }
}

impl<S: AsRef<str>> fmt::Debug for MediaId<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<S: AsRef<str>> fmt::Display for MediaId<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> From<&'a str> for MediaId<&'a str> {
    fn from(id: &'a str) -> Self {
        Self(id)
    }
}

impl From<String> for MediaId<String> {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl<S: AsRef<str>> Serialize for MediaId<S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MediaId<String> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// A value sent as JSON text inside a string field (`x-json` in the catalog),
/// e.g. `"business_time": "[\"2017-01-01\",\"长期\"]"`.
///
/// Serialising writes `T` as compact JSON and sends that text as the string;
/// deserialising reads the string and parses it as `T`.
///
/// ```
/// use wxpay_core::types::JsonString;
///
/// let period = JsonString(vec!["2017-01-01", "长期"]);
/// assert_eq!(
///     serde_json::to_string(&period).unwrap(),
///     r#""[\"2017-01-01\",\"长期\"]""#
/// );
/// let back: JsonString<Vec<String>> =
///     serde_json::from_str(r#""[\"2017-01-01\",\"长期\"]""#).unwrap();
/// assert_eq!(back.0, ["2017-01-01", "长期"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct JsonString<T>(pub T);

impl<T> JsonString<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonString<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for JsonString<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Serialize> Serialize for JsonString<T> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let text = serde_json::to_string(&self.0).map_err(Z::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonString<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        serde_json::from_str(&text)
            .map(Self)
            .map_err(|e| D::Error::custom(format!("invalid JSON inside the string: {e}")))
    }
}

fn parse_rfc3339(text: &str) -> Option<DateTimeParts> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = u8::try_from(digits(5..7)?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    let hour = u8::try_from(digits(11..13)?).ok()?;
    let minute = u8::try_from(digits(14..16)?).ok()?;
    let second = u8::try_from(digits(17..19)?).ok()?;
    let mut i = 19;
    let mut nanosecond = 0u32;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        for (k, d) in b[start..end].iter().take(9).enumerate() {
            nanosecond += u32::from(d - b'0') * 10u32.pow(8 - k as u32);
        }
        i = end;
    }
    let offset_minutes = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let h = i32::try_from(digits(i + 1..i + 3)?).ok()?;
            let m = i32::try_from(digits(i + 4..i + 6)?).ok()?;
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'-' {
                -(h * 60 + m)
            } else {
                h * 60 + m
            }
        }
        _ => return None,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(DateTimeParts {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanosecond,
        offset_minutes,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_and_format() {
        let t = Timestamp::new("2015-05-20T13:29:35.120+08:00");
        let p = t.parts().unwrap();
        assert_eq!((p.year, p.month, p.day, p.hour), (2015, 5, 20, 13));
        assert_eq!((p.nanosecond, p.offset_minutes), (120_000_000, 480));
        assert_eq!(
            Timestamp::new("1970-01-01T00:00:00Z").unix_seconds(),
            Some(0)
        );
        assert_eq!(
            Timestamp::new("1969-12-31T23:59:59-00:00").unix_seconds(),
            Some(-1)
        );
        assert_eq!(
            Timestamp::new("2024-02-29T08:00:00+08:00").unix_seconds(),
            Some(1_709_164_800)
        );
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2018-06-08 10:34",
            "2018-13-01T00:00:00Z",
            "2018-06-08T10:34:56",
            "2018-06-08T10:34:56+8:00",
            "2018-06-08T10:34:56.+08:00",
            "２０１８-06-08T10:34:56Z",
        ] {
            assert!(!Timestamp::new(bad).is_valid(), "{bad:?}");
        }
        for secs in [0, 1_528_425_296, -86_401, 4_102_444_800] {
            for offset in [0, 480, -330] {
                let t = Timestamp::from_unix(secs, offset);
                assert_eq!(t.unix_seconds(), Some(secs), "{t}");
            }
        }
        assert_eq!(
            Timestamp::from_unix(1_528_425_296, 480).as_str(),
            "2018-06-08T10:34:56+08:00"
        );
        assert_eq!(
            Timestamp::from_unix(0, -330).as_str(),
            "1969-12-31T18:30:00-05:30"
        );
    }

    #[test]
    fn text_is_kept_as_received() {
        let t: Timestamp = serde_json::from_str(r#""not a time""#).unwrap();
        assert_eq!(t, "not a time");
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""not a time""#);
        let m: MediaId = serde_json::from_str(r#""6uqyGjGrCf2GtyXP8bxrbuH9-aAoTjH""#).unwrap();
        assert_eq!(
            serde_json::to_string(&m.borrowed()).unwrap(),
            r#""6uqyGjGrCf2GtyXP8bxrbuH9-aAoTjH""#
        );
    }

    #[test]
    fn json_strings_round_trip_and_report_bad_json() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Inner {
            a: i64,
        }
        let v: JsonString<Inner> = serde_json::from_str(r#""{\"a\":1}""#).unwrap();
        assert_eq!(v.a, 1);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#""{\"a\":1}""#);
        let err = serde_json::from_str::<JsonString<Inner>>(r#""{a}""#).unwrap_err();
        assert!(err.to_string().contains("inside the string"), "{err}");
    }
}
