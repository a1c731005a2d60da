//! What can be wrong with a bill file.

use std::fmt;

/// A bill that could not be read, or that does not add up.
///
/// Line numbers count from 1 at the header row. As with [`Error`](crate::Error),
/// `Display` says why and no variant returns a `source()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BillError {
    /// Reading the file or stream failed.
    #[error("cannot read the bill: {0}")]
    Io(std::io::Error),

    /// Downloading the bill failed (including a SHA-1 that did not match).
    #[error("downloading the bill failed: {0}")]
    Download(crate::Error),

    /// A line is not UTF-8 (bills are UTF-8 text).
    #[error("line {line} is not UTF-8 text; WeChat Pay bills are UTF-8 (was the file converted to GBK?)")]
    NotUtf8 {
        /// The line.
        line: u64,
    },

    /// A line is longer than any bill line can be.
    #[error("line {line} is longer than {limit} bytes; this is not a WeChat Pay bill, or it lost its line breaks")]
    LineTooLong {
        /// The line.
        line: u64,
        /// The longest line accepted.
        limit: usize,
    },

    /// The input has no header row at all.
    #[error("the bill is empty: no header row")]
    Empty,

    /// The header is another kind of bill's.
    #[error("this is a {found} bill, not a {expected} bill: read it with the {found} reader")]
    WrongKind {
        /// The kind the reader reads.
        expected: &'static str,
        /// The kind the header shows.
        found: &'static str,
    },

    /// A column the layout needs is not in the header (missing, or renamed).
    #[error("the {bill} has no column {column}{}", UnknownColumns(.unknown))]
    MissingColumn {
        /// Which header: `trade bill header`, `fund-flow bill summary` ...
        bill: &'static str,
        /// The column's name as WeChat Pay documents it.
        column: &'static str,
        /// Columns of that header this SDK does not know (a renamed one is among them).
        unknown: Vec<String>,
    },

    /// A row has another number of values than the header has columns.
    #[error("line {line} has {found} values where the header has {expected} columns")]
    ColumnCount {
        /// The line.
        line: u64,
        /// Columns in the header.
        expected: usize,
        /// Values in the row.
        found: usize,
    },

    /// A value does not have the form its column needs.
    #[error("line {line}, column {column}: {value:?} is not {expected}")]
    InvalidValue {
        /// The line (0 when parsing a single value).
        line: u64,
        /// The column's name.
        column: String,
        /// The value (cut at 64 characters).
        value: String,
        /// What the column holds.
        expected: &'static str,
    },

    /// The input ended before the summary row (a truncated file?).
    #[error("the bill ended before its summary row: the file is truncated or not a whole bill")]
    MissingSummary,

    /// The rows do not add up to the bill's own summary.
    #[error("the bill does not add up: its summary says {total} is {summary}, its rows add up to {rows}")]
    SummaryMismatch {
        /// The summary column that differs, e.g. `应结订单总金额`.
        total: &'static str,
        /// What the summary row says.
        summary: String,
        /// What the rows add up to.
        rows: String,
    },

    /// Something follows the summary row.
    #[error("line {line}: unexpected content after the summary row")]
    TrailingContent {
        /// The line.
        line: u64,
    },

    /// Not a bill date.
    #[error("{0:?} is not a date; bill dates are yyyy-MM-dd (China calendar)")]
    InvalidDate(String),
}

impl BillError {
    pub(crate) fn invalid_value(
        line: u64,
        column: &str,
        value: &str,
        expected: &'static str,
    ) -> Self {
        BillError::InvalidValue {
            line,
            column: column.to_owned(),
            value: value.chars().take(64).collect(),
            expected,
        }
    }

    /// The same error placed at `line` (for values parsed before their line was known).
    pub(crate) fn at_line(mut self, at: u64) -> Self {
        if let BillError::InvalidValue { line, .. } = &mut self {
            *line = at;
        }
        self
    }
}

struct UnknownColumns<'a>(&'a [String]);

impl fmt::Display for UnknownColumns<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        write!(
            f,
            " (columns it has that this SDK does not know: {})",
            self.0.join(", ")
        )
    }
}

impl From<std::io::Error> for BillError {
    /// An error of a bill download read through its `AsyncRead` adapter
    /// comes back as the download error it was.
    fn from(e: std::io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<crate::Error>()) {
            if let Some(inner) = e.into_inner() {
                if let Ok(download) = inner.downcast::<crate::Error>() {
                    return BillError::Download(*download);
                }
            }
            // Unreachable: checked above; keep a plain I/O error otherwise.
            return BillError::Io(std::io::Error::other("bill download failed"));
        }
        BillError::Io(e)
    }
}
