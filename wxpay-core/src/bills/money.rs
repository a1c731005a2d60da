//! Exact money: bills write yuan with two decimals (fees with five); the SDK
//! keeps integers (fen, and thousandths of a fen for fees). No floating point.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};
use std::str::FromStr;

use super::BillError;

/// A decimal number of yuan as an integer of `10^-scale` yuan, with the
/// number of decimals the text had. Decimals past `scale` are accepted only
/// when they are zeros (`45.0` as a count, `0.060` as fen), so nothing is
/// ever rounded away.
pub(crate) fn parse_decimal(text: &str, scale: u32) -> Option<(i64, u32)> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    if whole.is_empty() || !whole.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: i64 = 0;
    for &b in whole {
        value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let fraction = fraction.unwrap_or_default();
    if fraction.is_empty() && text.ends_with('.') {
        return None;
    }
    if !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut decimals = 0u32;
    for (i, &b) in fraction.iter().enumerate() {
        if i as u32 >= scale {
            if b != b'0' {
                return None;
            }
            continue;
        }
        value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        decimals += 1;
    }
    for _ in decimals..scale {
        value = value.checked_mul(10)?;
    }
    let given = u32::try_from(fraction.len()).unwrap_or(u32::MAX);
    Some((if negative { -value } else { value }, given))
}

/// Yuan with two decimals to fen: `12.50` is 1250.
pub(crate) fn parse_fen(text: &str) -> Option<i64> {
    // The form almost every amount has (`12.50`, up to 15 digits before the
    // point: no overflow possible), without the general parser's checks.
    let b = text.as_bytes();
    let n = b.len();
    if (4..=18).contains(&n) && b[n - 3] == b'.' {
        let mut value: i64 = 0;
        let mut ok = true;
        for &c in b[..n - 3].iter().chain(&b[n - 2..]) {
            ok &= c.is_ascii_digit();
            value = value * 10 + i64::from(c.wrapping_sub(b'0'));
        }
        if ok {
            return Some(value);
        }
    }
    parse_decimal(text, 2).map(|(v, _)| v)
}

/// Writes `value` units of `10^-scale` as a decimal with `scale` decimals.
fn write_scaled(f: &mut fmt::Formatter<'_>, value: i64, scale: u32) -> fmt::Result {
    let unit = 10u64.pow(scale);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    write!(
        f,
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = scale as usize
    )
}

/// Fen as yuan with two decimals, as bills write amounts: `1250` is `12.50`.
pub fn fen_to_yuan(fen: i64) -> String {
    struct Yuan(i64);
    impl fmt::Display for Yuan {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_scaled(f, self.0, 2)
        }
    }
    Yuan(fen).to_string()
}

/// A fee (手续费) exactly as the bill states it: five decimals of a yuan,
/// kept as an integer number of thousandths of a fen (`0.01234` yuan is
/// 1234). Fees of single rows are fractions of a fen; only their sum is
/// settled.
///
/// ```
/// use wxpay_core::bills::Fee;
///
/// let fee: Fee = "0.01234".parse()?;
/// assert_eq!(fee.milli_fen(), 1234);
/// assert_eq!(fee.to_string(), "0.01234");
/// assert_eq!(fee.round_to_fen(), 1);
/// assert_eq!((fee + fee).to_string(), "0.02468");
/// # Ok::<(), wxpay_core::bills::BillError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fee(i64);

impl Fee {
    /// No fee.
    pub const ZERO: Fee = Fee(0);

    /// A fee of `milli_fen` thousandths of a fen (0.00001 yuan each).
    pub const fn from_milli_fen(milli_fen: i64) -> Self {
        Fee(milli_fen)
    }

    /// The fee in thousandths of a fen (0.00001 yuan each).
    pub const fn milli_fen(self) -> i64 {
        self.0
    }

    /// The fee rounded to whole fen, halves away from zero.
    pub const fn round_to_fen(self) -> i64 {
        let half = if self.0 < 0 { -500 } else { 500 };
        (self.0 + half) / 1000
    }

    /// The sum, or `None` on overflow.
    pub const fn checked_add(self, other: Fee) -> Option<Fee> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Fee(v)),
            None => None,
        }
    }
}

impl fmt::Display for Fee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scaled(f, self.0, 5)
    }
}

impl FromStr for Fee {
    type Err = BillError;

    /// Yuan with up to five decimals (`0.01000`, `-0.06`, `0`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_decimal(s, 5)
            .map(|(v, _)| Fee(v))
            .ok_or_else(|| BillError::invalid_value(0, "手续费", s, "yuan with up to 5 decimals"))
    }
}

impl Add for Fee {
    type Output = Fee;
    /// Saturates instead of overflowing (no bill comes near `i64::MAX`).
    fn add(self, other: Fee) -> Fee {
        Fee(self.0.saturating_add(other.0))
    }
}

impl Sub for Fee {
    type Output = Fee;
    fn sub(self, other: Fee) -> Fee {
        Fee(self.0.saturating_sub(other.0))
    }
}

impl Neg for Fee {
    type Output = Fee;
    fn neg(self) -> Fee {
        Fee(self.0.saturating_neg())
    }
}

impl Sum for Fee {
    fn sum<I: Iterator<Item = Fee>>(iter: I) -> Fee {
        iter.fold(Fee::ZERO, Add::add)
    }
}

impl serde::Serialize for Fee {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A fee rate (费率) such as `0.60%`, exact to a ten-thousandth of a percent.
///
/// ```
/// use wxpay_core::bills::FeeRate;
///
/// let rate: FeeRate = "0.60%".parse()?;
/// assert_eq!(rate.parts_per_million(), 6_000);
/// assert_eq!(rate.to_string(), "0.60%");
/// assert_eq!(rate.fee_on(10_000).milli_fen(), 60_000); // 0.60 yuan on 100 yuan
/// # Ok::<(), wxpay_core::bills::BillError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeeRate(u32);

impl FeeRate {
    /// A rate of `ppm` parts per million (`0.60%` is 6000).
    pub const fn from_parts_per_million(ppm: u32) -> Self {
        FeeRate(ppm)
    }

    /// The rate in parts per million.
    pub const fn parts_per_million(self) -> u32 {
        self.0
    }

    /// The exact fee this rate gives on `fen` (before WeChat's rounding).
    pub fn fee_on(self, fen: i64) -> Fee {
        // fen * ppm / 10^6 fen = fen * ppm / 1000 milli-fen.
        let milli = i128::from(fen) * i128::from(self.0) / 1000;
        Fee(i64::try_from(milli).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for FeeRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Two decimals of a percent as bills write them, more only if needed.
        let (whole, rest) = (self.0 / 10_000, self.0 % 10_000);
        if rest % 100 == 0 {
            write!(f, "{whole}.{:02}%", rest / 100)
        } else {
            let text = format!("{rest:04}");
            write!(f, "{whole}.{}%", text.trim_end_matches('0'))
        }
    }
}

impl FromStr for FeeRate {
    type Err = BillError;

    /// A percentage with up to four decimals: `0.60%`, `0.6%`, `1%`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.strip_suffix('%')
            .and_then(|n| parse_decimal(n, 4))
            .and_then(|(v, _)| u32::try_from(v).ok())
            .map(FeeRate)
            .ok_or_else(|| BillError::invalid_value(0, "费率", s, "a percentage such as 0.60%"))
    }
}

impl serde::Serialize for FeeRate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_text_becomes_exact_integers() {
        assert_eq!(parse_fen("12.50"), Some(1250));
        assert_eq!(parse_fen("0.01"), Some(1));
        assert_eq!(parse_fen("-0.05"), Some(-5));
        assert_eq!(parse_fen("3"), Some(300));
        assert_eq!(parse_fen("0.0"), Some(0));
        assert_eq!(
            parse_fen("0.060"),
            Some(6),
            "trailing zeros are not precision"
        );
        assert_eq!(parse_fen("0.015"), None, "never rounded");
        for bad in [
            "", "-", ".5", "1.", "1,00", "1.2.3", "1e3", " 1", "¥1", "--1",
        ] {
            assert_eq!(parse_fen(bad), None, "{bad:?}");
        }
        assert_eq!(parse_fen("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(
            parse_fen("92233720368547758.08"),
            None,
            "overflow is refused"
        );
        assert_eq!(parse_decimal("45.0", 0), Some((45, 1)));
        assert_eq!(fen_to_yuan(1250), "12.50");
        assert_eq!(fen_to_yuan(-5), "-0.05");
    }

    #[test]
    fn fees_keep_five_decimals() {
        let fee: Fee = "0.01000".parse().unwrap();
        assert_eq!(fee.milli_fen(), 1000);
        assert_eq!(fee.round_to_fen(), 1);
        assert_eq!("0.06".parse::<Fee>().unwrap().to_string(), "0.06000");
        assert_eq!("-0.00500".parse::<Fee>().unwrap().round_to_fen(), -1);
        assert_eq!(Fee::from_milli_fen(499).round_to_fen(), 0);
        assert!("0.000001".parse::<Fee>().is_err());
        assert_eq!(
            [Fee::from_milli_fen(1), Fee::from_milli_fen(2)]
                .into_iter()
                .sum::<Fee>(),
            Fee::from_milli_fen(3)
        );
    }

    #[test]
    fn rates_are_percentages() {
        for (text, ppm, shown) in [
            ("0.60%", 6_000, "0.60%"),
            ("39.00%", 390_000, "39.00%"),
            ("0.6%", 6_000, "0.60%"),
            ("0.385%", 3_850, "0.385%"),
            ("1%", 10_000, "1.00%"),
        ] {
            let rate: FeeRate = text.parse().unwrap();
            assert_eq!(rate.parts_per_million(), ppm, "{text}");
            assert_eq!(rate.to_string(), shown);
        }
        for bad in ["0.60", "%", "-1%", "0.123456%"] {
            assert!(bad.parse::<FeeRate>().is_err(), "{bad}");
        }
    }
}
