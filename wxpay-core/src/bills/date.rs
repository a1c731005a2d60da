//! Bill dates: China calendar days, and when WeChat Pay has a day's bill.
//!
//! A bill covers one China calendar day (00:00–24:00 at UTC+8). WeChat Pay
//! starts generating day D's bills at 09:00 China time on D+1 and asks
//! merchants to fetch them after 10:00 (WeChat Pay's bill pages, APIv2 and
//! APIv3). Before that, and for today, there is no bill: the answer is
//! `NO_STATEMENT_EXIST` or `STATEMENT_CREATING` ([`BillUnavailable`]). Bills
//! can be fetched for about the last three months.

use std::fmt;
use std::str::FromStr;

use super::time::{civil_from_days, days_from_civil};
use super::{BillError, ChinaTime};
use crate::{ApiError, Error};

/// The hour (China time) of D+1 when WeChat Pay starts generating day D's bills.
pub const BILL_GENERATION_HOUR: u32 = 9;
/// The hour (China time) of D+1 after which day D's bills can be fetched.
pub const BILL_READY_HOUR: u32 = 10;

/// A China calendar day, as bills are dated (`bill_date=2019-02-19`).
///
/// Never a UTC date: at 07:00 in Beijing it is still yesterday in UTC.
///
/// ```
/// use wxpay_core::bills::{BillDate, ChinaTime};
///
/// let date: BillDate = "2019-02-19".parse()?;
/// assert_eq!(date.compact(), "20190219"); // APIv2's form
/// // The day's bills can be fetched from 10:00 China time the next day.
/// assert_eq!(date.available_from().to_string(), "2019-02-20 10:00:00");
/// let morning: ChinaTime = "2019-02-20 09:30:00".parse()?;
/// assert!(!date.is_available_at(morning));
/// // The newest bill that exists at 09:30 is the day before's.
/// assert_eq!(BillDate::latest_available_at(morning).to_string(), "2019-02-18");
///
/// // In an application: yesterday's bill, by the China calendar.
/// let yesterday = BillDate::yesterday_in_china();
/// # let _ = yesterday;
/// # Ok::<(), wxpay_core::bills::BillError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BillDate(i64);

impl BillDate {
    pub(crate) const fn from_days(days: i64) -> Self {
        BillDate(days)
    }

    /// Days since 1970-01-01.
    pub(crate) const fn days(self) -> i64 {
        self.0
    }

    /// The day `year-month-day`; `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        let y = i64::from(year);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(y, month) {
            return None;
        }
        Some(BillDate(days_from_civil(y, month, day)))
    }

    /// Today in China (by the system clock).
    pub fn today_in_china() -> Self {
        ChinaTime::now().date()
    }

    /// Yesterday in China: the newest day whose bill can exist, from 10:00
    /// China time on (see [`latest_available_at`](Self::latest_available_at)).
    pub fn yesterday_in_china() -> Self {
        Self::today_in_china().previous()
    }

    /// The newest day whose bills can be fetched at `now`: yesterday from
    /// 10:00 China time on, the day before yesterday until then.
    pub fn latest_available_at(now: ChinaTime) -> Self {
        let yesterday = now.date().previous();
        if yesterday.is_available_at(now) {
            yesterday
        } else {
            yesterday.previous()
        }
    }

    /// The day before.
    pub const fn previous(self) -> Self {
        BillDate(self.0 - 1)
    }

    /// The day after.
    pub const fn next(self) -> Self {
        BillDate(self.0 + 1)
    }

    /// The year.
    pub fn year(self) -> i32 {
        i32::try_from(civil_from_days(self.0).0).unwrap_or(i32::MAX)
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        civil_from_days(self.0).1
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u32 {
        civil_from_days(self.0).2
    }

    /// The moment `hour:minute:second` China time on this day; `None` for a
    /// time that does not exist.
    pub fn at(self, hour: u32, minute: u32, second: u32) -> Option<ChinaTime> {
        (hour < 24 && minute < 60 && second < 60).then(|| {
            ChinaTime::from_date_and_seconds(self, i64::from(hour * 3600 + minute * 60 + second))
        })
    }

    /// The first moment of this day (00:00:00 China time).
    pub fn start(self) -> ChinaTime {
        ChinaTime::from_date_and_seconds(self, 0)
    }

    /// When WeChat Pay starts generating this day's bills: 09:00 China time the next day.
    pub fn generation_starts(self) -> ChinaTime {
        ChinaTime::from_date_and_seconds(self.next(), i64::from(BILL_GENERATION_HOUR) * 3600)
    }

    /// When this day's bills can be fetched: 10:00 China time the next day.
    pub fn available_from(self) -> ChinaTime {
        ChinaTime::from_date_and_seconds(self.next(), i64::from(BILL_READY_HOUR) * 3600)
    }

    /// Whether this day's bills can be fetched at `now`.
    pub fn is_available_at(self, now: ChinaTime) -> bool {
        now >= self.available_from()
    }

    /// `yyyyMMdd`, the form APIv2's `bill_date` takes.
    pub fn compact(self) -> String {
        let (y, m, d) = civil_from_days(self.0);
        format!("{y:04}{m:02}{d:02}")
    }
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for BillDate {
    /// `yyyy-MM-dd`, the form APIv3's `bill_date` takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for BillDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BillDate({self})")
    }
}

impl FromStr for BillDate {
    type Err = BillError;

    /// `yyyy-MM-dd` or `yyyyMMdd`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        let (y, m, d) = match b.len() {
            10 if b[4] == b'-' && b[7] == b'-' => (s.get(..4), s.get(5..7), s.get(8..)),
            8 => (s.get(..4), s.get(4..6), s.get(6..)),
            _ => (None, None, None),
        };
        let number = |part: Option<&str>| -> Option<u32> {
            let part = part?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        match (number(y), number(m), number(d)) {
            (Some(y), Some(m), Some(d)) => i32::try_from(y)
                .ok()
                .and_then(|y| Self::from_ymd(y, m, d))
                .ok_or_else(|| BillError::InvalidDate(s.to_owned())),
            _ => Err(BillError::InvalidDate(s.to_owned())),
        }
    }
}

impl serde::Serialize for BillDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BillDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why WeChat Pay gave no bill for a day: its `NO_STATEMENT_EXIST` and
/// `STATEMENT_CREATING` answers, with what to do about each.
///
/// ```no_run
/// use wxpay_core::bills::{BillDate, BillUnavailable, ChinaTime};
/// # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
/// let date = BillDate::yesterday_in_china();
/// let answer: Result<wxpay_core::bills::BillInfo, _> = client
///     .request(wxpay_core::Method::Get, "v3/bill/tradebill")
///     .query_pair("bill_date", &date.to_string())
///     .send()
///     .await;
/// match answer {
///     Ok(info) => { /* download_bill(&info) ... */ }
///     Err(e) => match e.bill_unavailable() {
///         Some(BillUnavailable::NoStatement) if date.is_available_at(ChinaTime::now()) => {
///             println!("no payment and no refund on {date}: nothing to reconcile");
///         }
///         Some(why) => println!("{}", why.advice(date, ChinaTime::now())),
///         None => return Err(e),
///     },
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BillUnavailable {
    /// `NO_STATEMENT_EXIST` (账单文件不存在): no bill for that day. For a day
    /// whose bill is ready (see [`BillDate::is_available_at`]) it means no
    /// payment and no refund that day: an empty day, not a failure. For
    /// today, or before 10:00 China time of the next day, it is too early.
    NoStatement,
    /// `STATEMENT_CREATING` (账单生成中): WeChat Pay is still generating it;
    /// ask again later (after 10:00 China time of the next day).
    Creating,
}

impl BillUnavailable {
    /// Reads WeChat Pay's error code; `None` for any other.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "NO_STATEMENT_EXIST" => Some(Self::NoStatement),
            "STATEMENT_CREATING" => Some(Self::Creating),
            _ => None,
        }
    }

    /// WeChat Pay's error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoStatement => "NO_STATEMENT_EXIST",
            Self::Creating => "STATEMENT_CREATING",
        }
    }

    /// When to ask again for `date`'s bill, asked at `now`: `None` when
    /// asking again will not help (`NO_STATEMENT_EXIST` for a day whose bill
    /// is ready: there was nothing that day). `STATEMENT_CREATING` after the
    /// day's bills should be ready: 10 minutes later.
    pub fn retry_at(self, date: BillDate, now: ChinaTime) -> Option<ChinaTime> {
        let ready = date.available_from();
        match self {
            _ if now < ready => Some(ready),
            Self::NoStatement => None,
            Self::Creating => Some(now.plus_seconds(600)),
        }
    }

    /// A sentence for a log or a person: what happened and what to do.
    pub fn advice(self, date: BillDate, now: ChinaTime) -> String {
        match (self, self.retry_at(date, now)) {
            (Self::NoStatement, None) => format!(
                "there is no bill for {date}: no payment and no refund that day"
            ),
            (_, Some(at)) if now < date.available_from() => format!(
                "the bill for {date} does not exist yet: WeChat Pay generates it from 09:00 China time on {}; ask again after {at}",
                date.next()
            ),
            (_, retry) => format!(
                "WeChat Pay is still generating the bill for {date}; ask again after {}",
                retry.unwrap_or(now)
            ),
        }
    }
}

impl fmt::Display for BillUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoStatement => "no bill for that day (NO_STATEMENT_EXIST)",
            Self::Creating => "the bill is being generated (STATEMENT_CREATING)",
        })
    }
}

impl ApiError {
    /// Whether this is WeChat Pay saying a bill is not there (yet); see
    /// [`BillUnavailable`] for what to do. Only signed answers count.
    pub fn bill_unavailable(&self) -> Option<BillUnavailable> {
        if !self.signature_verified {
            return None;
        }
        BillUnavailable::from_code(&self.code)
    }
}

impl Error {
    /// [`ApiError::bill_unavailable`] of an [`Error::Api`]; `None` otherwise.
    pub fn bill_unavailable(&self) -> Option<BillUnavailable> {
        self.as_api().and_then(ApiError::bill_unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> ChinaTime {
        text.parse().unwrap()
    }

    #[test]
    fn dates_are_china_days() {
        let d: BillDate = "2024-02-29".parse().unwrap();
        assert_eq!(d, "20240229".parse().unwrap());
        assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
        assert_eq!(d.next().to_string(), "2024-03-01");
        assert_eq!(d.previous().compact(), "20240228");
        for bad in [
            "2023-02-29",
            "2024/02/29",
            "2024-2-29",
            "24-02-29",
            "x",
            "2024-13-01",
        ] {
            assert!(bad.parse::<BillDate>().is_err(), "{bad}");
        }
        // 23:30 UTC on the 28th is already the 29th in Beijing.
        assert_eq!(
            ChinaTime::parse_rfc3339("2024-02-28T23:30:00Z")
                .unwrap()
                .date(),
            d
        );
    }

    #[test]
    fn a_days_bill_exists_from_ten_the_next_morning() {
        let d: BillDate = "2024-02-29".parse().unwrap();
        assert_eq!(d.generation_starts(), at("2024-03-01 09:00:00"));
        assert!(!d.is_available_at(at("2024-03-01 09:59:59")));
        assert!(d.is_available_at(at("2024-03-01 10:00:00")));
        assert_eq!(
            BillDate::latest_available_at(at("2024-03-01 09:59:59")),
            d.previous()
        );
        assert_eq!(BillDate::latest_available_at(at("2024-03-01 10:00:00")), d);
    }

    #[test]
    fn unavailable_bills_say_when_to_ask_again() {
        let d: BillDate = "2024-02-29".parse().unwrap();
        let early = at("2024-03-01 08:00:00");
        let late = at("2024-03-02 12:00:00");
        assert_eq!(
            BillUnavailable::NoStatement.retry_at(d, early),
            Some(d.available_from())
        );
        assert_eq!(BillUnavailable::NoStatement.retry_at(d, late), None);
        assert_eq!(
            BillUnavailable::Creating.retry_at(d, late),
            Some(late.plus_seconds(600))
        );
        assert!(BillUnavailable::NoStatement
            .advice(d, early)
            .contains("ask again after 2024-03-01 10:00:00"));
        assert!(BillUnavailable::NoStatement
            .advice(d, late)
            .contains("no payment and no refund"));
        let api = ApiError {
            status: 400,
            code: "STATEMENT_CREATING".into(),
            message: "账单生成中".into(),
            detail: None,
            request_id: None,
            signature_verified: true,
        };
        assert_eq!(api.bill_unavailable(), Some(BillUnavailable::Creating));
        let unsigned = ApiError {
            signature_verified: false,
            ..api.clone()
        };
        assert_eq!(unsigned.bill_unavailable(), None);
        assert_eq!(
            Error::Api(Box::new(api)).bill_unavailable(),
            Some(BillUnavailable::Creating)
        );
    }
}
