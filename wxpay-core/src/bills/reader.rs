//! Streaming bill readers. One engine splits the input into lines (at most
//! [`MAX_LINE_BYTES`] each, so memory stays bounded whatever the bill's
//! size), tells the header, the rows, the summary header and the summary
//! row apart, and checks the rows against the summary at the end; the sync
//! readers feed it from [`std::io::Read`], the async ones from
//! [`tokio::io::AsyncRead`] (a [`BillDownload`](super::BillDownload) through
//! [`into_reader`](super::BillDownload::into_reader)).

use std::io::Read;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::layout::{self, Columns, TradeBillLayout};
use super::record::{FundFlowRecord, RawRow, Span, TradeRecord};
use super::summary::{FundTotals, TradeTotals};
use super::{BillError, FundFlowSummary, TradeSummary};

/// The longest line a bill may have: far above any real row (a row is a few
/// hundred bytes; 商品名称 and 商户数据包 are capped at 127 and 128 characters).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// How much is read at a time.
const READ_BYTES: usize = 64 * 1024;

/// Which bill a file holds, told by its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BillKind {
    /// A trade bill (交易账单), [`TradeBillReader`].
    Trade,
    /// A fund-flow bill (资金账单), [`FundFlowBillReader`].
    FundFlow,
}

impl BillKind {
    /// The kind of bill whose first bytes are `start` (its first line, or
    /// more); `None` if it is neither.
    pub fn detect(start: &[u8]) -> Option<Self> {
        let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
        let line = start.split(|b| *b == b'\n').next().unwrap_or_default();
        match layout::kind_of(&String::from_utf8_lossy(line)) {
            Some("trade") => Some(BillKind::Trade),
            Some("fund-flow") => Some(BillKind::FundFlow),
            _ => None,
        }
    }
}

/// What one bill kind brings to the engine.
pub(crate) trait Kind {
    type Columns: Width;
    type SummaryColumns;
    type Layout: Copy;
    type Record;
    type Summary;
    type Totals: Default;
    const NAME: &'static str;

    fn header(line: &str) -> Result<(Self::Layout, Self::Columns), BillError>;
    fn record(row: &RawRow<'_>, columns: &Self::Columns) -> Result<Self::Record, BillError>;
    fn with_text(record: Self::Record, text: String) -> Self::Record;
    fn add(totals: &mut Self::Totals, record: &Self::Record);
    fn summary_header(line: &str, layout: Self::Layout) -> Result<Self::SummaryColumns, BillError>;
    fn check(
        totals: &Self::Totals,
        row: &RawRow<'_>,
        columns: &Self::SummaryColumns,
    ) -> Result<Self::Summary, BillError>;
}

pub(crate) struct Trade;
pub(crate) struct FundFlow;

impl Kind for Trade {
    type Columns = Columns<29>;
    type SummaryColumns = Columns<7>;
    type Layout = TradeBillLayout;
    type Record = TradeRecord;
    type Summary = TradeSummary;
    type Totals = TradeTotals;
    const NAME: &'static str = "trade";

    fn header(line: &str) -> Result<(TradeBillLayout, Columns<29>), BillError> {
        layout::trade_columns(line)
    }
    fn record(row: &RawRow<'_>, columns: &Columns<29>) -> Result<TradeRecord, BillError> {
        TradeRecord::read(row, columns)
    }
    fn with_text(record: TradeRecord, text: String) -> TradeRecord {
        record.with_text(text)
    }
    fn add(totals: &mut TradeTotals, record: &TradeRecord) {
        totals.add(record);
    }
    fn summary_header(line: &str, layout: TradeBillLayout) -> Result<Columns<7>, BillError> {
        layout::trade_summary_columns(line, layout)
    }
    fn check(
        totals: &TradeTotals,
        row: &RawRow<'_>,
        columns: &Columns<7>,
    ) -> Result<TradeSummary, BillError> {
        totals.check(row, columns)
    }
}

impl Kind for FundFlow {
    type Columns = Columns<11>;
    type SummaryColumns = Columns<5>;
    type Layout = ();
    type Record = FundFlowRecord;
    type Summary = FundFlowSummary;
    type Totals = FundTotals;
    const NAME: &'static str = "fund-flow";

    fn header(line: &str) -> Result<((), Columns<11>), BillError> {
        Ok(((), layout::fund_columns(line)?))
    }
    fn record(row: &RawRow<'_>, columns: &Columns<11>) -> Result<FundFlowRecord, BillError> {
        FundFlowRecord::read(row, columns)
    }
    fn with_text(record: FundFlowRecord, text: String) -> FundFlowRecord {
        record.with_text(text)
    }
    fn add(totals: &mut FundTotals, record: &FundFlowRecord) {
        totals.add(record);
    }
    fn summary_header(line: &str, _: ()) -> Result<Columns<5>, BillError> {
        layout::fund_summary_columns(line)
    }
    fn check(
        totals: &FundTotals,
        row: &RawRow<'_>,
        columns: &Columns<5>,
    ) -> Result<FundFlowSummary, BillError> {
        totals.check(row, columns)
    }
}

enum Phase<K: Kind> {
    Header,
    Rows(K::Layout, K::Columns),
    SummaryRow(K::SummaryColumns),
    Done,
    Failed,
}

/// What the engine has for its reader.
pub(crate) enum Step<R> {
    Record(R),
    NeedMore,
    End,
    Error(BillError),
}

/// The push parser every reader shares.
pub(crate) struct Engine<K: Kind> {
    /// `buf[start..end]` is read and not consumed; past `end` is room to
    /// read into (zeroed once, when the buffer grows).
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes of `buf[start..]` known to hold no line break.
    scanned: usize,
    eof: bool,
    line: u64,
    phase: Phase<K>,
    layout: Option<K::Layout>,
    totals: K::Totals,
    summary: Option<K::Summary>,
    cells: Vec<Span>,
}

impl<K: Kind> Engine<K> {
    pub(crate) fn new() -> Self {
        Engine {
            buf: Vec::new(),
            start: 0,
            end: 0,
            scanned: 0,
            eof: false,
            line: 0,
            phase: Phase::Header,
            layout: None,
            totals: K::Totals::default(),
            summary: None,
            cells: Vec::new(),
        }
    }

    pub(crate) fn summary(&self) -> Option<&K::Summary> {
        self.summary.as_ref()
    }

    pub(crate) fn layout(&self) -> Option<K::Layout> {
        self.layout
    }

    /// Room to read into (the consumed part dropped first).
    pub(crate) fn spare(&mut self) -> &mut [u8] {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() < self.end + READ_BYTES {
            self.buf.resize(self.end + READ_BYTES, 0);
        }
        &mut self.buf[self.end..self.end + READ_BYTES]
    }

    /// `n` bytes of [`spare`](Self::spare) were filled; 0 is the end of input.
    pub(crate) fn filled(&mut self, n: usize) {
        self.end += n.min(READ_BYTES);
        if n == 0 {
            self.eof = true;
        }
    }

    /// Nothing was read into [`spare`](Self::spare) (an error; not the end).
    pub(crate) fn unfilled(&mut self) {}

    /// The reader failed: no more records.
    pub(crate) fn fail(&mut self) {
        self.phase = Phase::Failed;
    }

    pub(crate) fn step(&mut self) -> Step<K::Record> {
        loop {
            if matches!(self.phase, Phase::Failed) {
                return Step::End;
            }
            let pending = &self.buf[self.start..self.end];
            let (line_end, next) = match memchr::memchr(b'\n', &pending[self.scanned..]) {
                Some(i) => {
                    let at = self.start + self.scanned + i;
                    (at, at + 1)
                }
                None if self.eof && pending.is_empty() => return self.finish(),
                None if self.eof => (self.end, self.end),
                None if pending.len() > MAX_LINE_BYTES => {
                    return self.error(BillError::LineTooLong {
                        line: self.line + 1,
                        limit: MAX_LINE_BYTES,
                    })
                }
                None => {
                    self.scanned = pending.len();
                    return Step::NeedMore;
                }
            };
            let (from, to) = (self.start, line_end);
            self.start = next;
            self.scanned = 0;
            self.line += 1;
            if to - from > MAX_LINE_BYTES {
                return self.error(BillError::LineTooLong {
                    line: self.line,
                    limit: MAX_LINE_BYTES,
                });
            }
            match self.line_at(from, to) {
                Ok(Some(record)) => return Step::Record(record),
                Ok(None) => {}
                Err(e) => return self.error(e),
            }
        }
    }

    fn error(&mut self, e: BillError) -> Step<K::Record> {
        self.phase = Phase::Failed;
        Step::Error(e)
    }

    fn finish(&mut self) -> Step<K::Record> {
        match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Done => Step::End,
            Phase::Header => Step::Error(BillError::Empty),
            _ => Step::Error(BillError::MissingSummary),
        }
    }

    /// Handles the line `buf[from..to]`; a detail row gives a record.
    fn line_at(&mut self, from: usize, to: usize) -> Result<Option<K::Record>, BillError> {
        let mut bytes = &self.buf[from..to];
        if let Some(b) = bytes.strip_suffix(b"\r") {
            bytes = b;
        }
        if self.line == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(None);
        }
        let line = self.line;
        let not_utf8 = |_| BillError::NotUtf8 { line };
        let is_values = bytes.first() == Some(&b'`');
        match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Header => {
                let text = std::str::from_utf8(bytes).map_err(not_utf8)?;
                if let Some(found) = layout::kind_of(text).filter(|k| *k != K::NAME) {
                    return Err(BillError::WrongKind {
                        expected: K::NAME,
                        found,
                    });
                }
                let (layout, columns) = K::header(text)?;
                self.layout = Some(layout);
                self.phase = Phase::Rows(layout, columns);
                Ok(None)
            }
            Phase::Rows(layout, columns) if is_values => {
                let text =
                    String::from_utf8(bytes.to_vec()).map_err(|e| not_utf8(e.utf8_error()))?;
                split_values(&text, &mut self.cells);
                let result = self.row(&text, &columns).map(|r| K::with_text(r, text));
                self.phase = Phase::Rows(layout, columns);
                result.map(Some)
            }
            Phase::Rows(layout, _) => {
                let text = std::str::from_utf8(bytes).map_err(not_utf8)?;
                self.phase = Phase::SummaryRow(K::summary_header(text, layout)?);
                Ok(None)
            }
            Phase::SummaryRow(columns) if is_values => {
                let text = std::str::from_utf8(bytes).map_err(not_utf8)?;
                let mut cells = std::mem::take(&mut self.cells);
                split_values(text, &mut cells);
                let raw = RawRow {
                    text,
                    cells: &cells,
                    line,
                };
                let summary = K::check(&self.totals, &raw, &columns);
                self.cells = cells;
                self.summary = Some(summary?);
                self.phase = Phase::Done;
                Ok(None)
            }
            Phase::SummaryRow(_) => Err(BillError::MissingSummary),
            Phase::Done | Phase::Failed => Err(BillError::TrailingContent { line }),
        }
    }

    fn row(&mut self, text: &str, columns: &K::Columns) -> Result<K::Record, BillError> {
        let width = columns.width();
        if self.cells.len() != width {
            return Err(BillError::ColumnCount {
                line: self.line,
                expected: width,
                found: self.cells.len(),
            });
        }
        let raw = RawRow {
            text,
            cells: &self.cells,
            line: self.line,
        };
        let record = K::record(&raw, columns)?;
        K::add(&mut self.totals, &record);
        Ok(record)
    }
}

/// How many values a row of these columns has.
pub(crate) trait Width {
    fn width(&self) -> usize;
}

impl<const N: usize> Width for Columns<N> {
    fn width(&self) -> usize {
        self.width
    }
}

/// Splits a values row (`` `a,`b,` ``) at each `` ,` ``: every value starts
/// with a backtick, so a comma inside a value (not followed by one) stays.
fn split_values(text: &str, cells: &mut Vec<Span>) {
    cells.clear();
    let b = text.as_bytes();
    // Lines are at most MAX_LINE_BYTES, so offsets fit u32. The backticks
    // are found eight bytes at a time (values are about ten bytes apart, too
    // close for a search call per value to pay off).
    let mut start = 1usize;
    let mut cut = |at: usize, cells: &mut Vec<Span>| {
        if at >= 2 && b[at - 1] == b',' {
            cells.push(Span {
                start: start as u32,
                end: (at - 1) as u32,
            });
            start = at + 1;
        }
    };
    let mut base = 0;
    let mut words = b.chunks_exact(8);
    for word in &mut words {
        let mut mask = backticks(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        while mask != 0 {
            cut(base + (mask.trailing_zeros() / 8) as usize, cells);
            mask &= mask - 1;
        }
        base += 8;
    }
    for (i, c) in words.remainder().iter().enumerate() {
        if *c == b'`' {
            cut(base + i, cells);
        }
    }
    cells.push(Span {
        start: start.min(b.len()) as u32,
        end: b.len() as u32,
    });
}

/// The high bit of each byte of `word` that is a backtick, exactly.
fn backticks(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ 0x6060_6060_6060_6060; // zero where the byte is `
    !(((x & LOW7) + LOW7) | x | LOW7)
}

macro_rules! readers {
    ($kind:ty, $record:ty, $summary:ty, $layout:ty, $sync:ident, $async_:ident, $what:literal) => {
        #[doc = concat!("Reads a ", $what, " from any [`std::io::Read`] (a file, `&[u8]`), one row at a time.")]
        ///
        /// An iterator of rows; after the last row it checks them against the
        /// summary block and yields that error if they do not add up, so treat
        /// what you collect as tentative until the iterator ended without one.
        /// [`summary`](Self::summary) is then the checked summary.
        pub struct $sync<R> {
            engine: Engine<$kind>,
            reader: R,
        }

        impl<R: Read> $sync<R> {
            /// Reads the bill from `reader` (buffering is done here).
            pub fn new(reader: R) -> Self {
                Self {
                    engine: Engine::new(),
                    reader,
                }
            }

            /// The checked summary, once every row was read and they added up.
            pub fn summary(&self) -> Option<&$summary> {
                self.engine.summary()
            }

            /// The layout the header showed, once it was read.
            pub fn layout(&self) -> Option<$layout> {
                self.engine.layout()
            }
        }

        impl<R: Read> Iterator for $sync<R> {
            type Item = Result<$record, BillError>;

            fn next(&mut self) -> Option<Self::Item> {
                loop {
                    match self.engine.step() {
                        Step::Record(r) => return Some(Ok(r)),
                        Step::Error(e) => return Some(Err(e)),
                        Step::End => return None,
                        Step::NeedMore => match self.reader.read(self.engine.spare()) {
                            Ok(n) => self.engine.filled(n),
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                                self.engine.unfilled();
                            }
                            Err(e) => {
                                self.engine.unfilled();
                                self.engine.fail();
                                return Some(Err(e.into()));
                            }
                        },
                    }
                }
            }
        }

        impl<R> std::fmt::Debug for $sync<R> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($sync))
                    .field("line", &self.engine.line)
                    .finish_non_exhaustive()
            }
        }

        #[doc = concat!("Reads a ", $what, " from a [`tokio::io::AsyncRead`] (a file, or a")]
        /// [`BillDownload`](super::BillDownload) through
        /// [`into_reader`](super::BillDownload::into_reader)), one row at a time
        /// as the bytes arrive.
        ///
        /// [`next`](Self::next) gives the rows, then the summary check's error
        /// if they do not add up, then `None`; treat rows as tentative until
        /// then (a download's SHA-1 is also checked at the end).
        pub struct $async_<R> {
            engine: Engine<$kind>,
            reader: R,
        }

        impl<R: AsyncRead + Unpin> $async_<R> {
            /// Reads the bill from `reader` (buffering is done here).
            pub fn new(reader: R) -> Self {
                Self {
                    engine: Engine::new(),
                    reader,
                }
            }

            /// The next row; `None` once the bill ended and added up.
            pub async fn next(&mut self) -> Option<Result<$record, BillError>> {
                loop {
                    match self.engine.step() {
                        Step::Record(r) => return Some(Ok(r)),
                        Step::Error(e) => return Some(Err(e)),
                        Step::End => return None,
                        Step::NeedMore => {
                            let read = self.reader.read(self.engine.spare()).await;
                            match read {
                                Ok(n) => self.engine.filled(n),
                                Err(e) => {
                                    self.engine.unfilled();
                                    self.engine.fail();
                                    return Some(Err(e.into()));
                                }
                            }
                        }
                    }
                }
            }

            /// The checked summary, once every row was read and they added up.
            pub fn summary(&self) -> Option<&$summary> {
                self.engine.summary()
            }

            /// The layout the header showed, once it was read.
            pub fn layout(&self) -> Option<$layout> {
                self.engine.layout()
            }
        }

        impl<R> std::fmt::Debug for $async_<R> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($async_))
                    .field("line", &self.engine.line)
                    .finish_non_exhaustive()
            }
        }
    };
}

readers!(
    Trade,
    TradeRecord,
    TradeSummary,
    TradeBillLayout,
    TradeBillReader,
    AsyncTradeBillReader,
    "trade bill (交易账单: ALL, SUCCESS or REFUND; APIv3 or APIv2)"
);
readers!(
    FundFlow,
    FundFlowRecord,
    FundFlowSummary,
    (),
    FundFlowBillReader,
    AsyncFundFlowBillReader,
    "fund-flow bill (资金账单: BASIC, OPERATION or FEES; APIv3 or APIv2)"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        split_values(text, &mut spans);
        spans
            .iter()
            .map(|s| &text[s.start as usize..s.end as usize])
            .collect()
    }

    #[test]
    fn values_split_at_comma_backtick_only() {
        assert_eq!(cells("`a,`b,`"), ["a", "b", ""]);
        assert_eq!(cells("`1,000 yuan, really,`x"), ["1,000 yuan, really", "x"]);
        assert_eq!(cells("`"), [""]);
        assert_eq!(cells("`商品,`"), ["商品", ""]);
        assert_eq!(cells("``a,`b`c,`,`"), ["`a", "b`c", "", ""]);
        let long = "`a,`bb,`ccc,`dddd,`eeeee,`ffffff,`ggggggg,`hhhhhhhh,`";
        assert_eq!(
            cells(long),
            ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh", ""]
        );
        assert_eq!(
            backticks(u64::from_le_bytes(*b"`a``\x60\x00\x61`")),
            0x8000_0080_8080_0080
        );
    }
}
