//! `wxpay bill parse` and `wxpay bill reconcile`: saved bills read with
//! `wxpay_core::bills` (streamed: any size), the merchant's orders from CSV.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use wxpay_core::bills::{
    BillDate, BillError, BillKind, ChinaTime, FundFlowBillReader, LocalBook, LocalOrder,
    LocalOrderState, LocalRefund, LocalRefundState, Reconciler, TradeBillReader,
};

use crate::args::{BillParseArgs, BillReconcileArgs};
use crate::error::CliError;

/// The longest CSV line read from the merchant's files.
const MAX_CSV_LINE: usize = 64 * 1024;

fn open(path: &Path) -> Result<BufReader<Box<dyn Read>>, CliError> {
    let input: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?,
        )
    };
    Ok(BufReader::with_capacity(64 * 1024, input))
}

fn bill_error(path: &Path) -> impl Fn(BillError) -> CliError + '_ {
    move |source| CliError::Bill {
        file: format!("{} is not a bill that adds up", path.display()),
        source,
    }
}

fn line(out: &mut impl Write, value: &impl Serialize) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| CliError::Io(e.to_string()))?;
    out.write_all(b"\n")?;
    Ok(())
}

pub fn parse(args: &BillParseArgs) -> Result<(), CliError> {
    print_rows(&args.file)
}

/// Prints each row of the bill at `path` as a JSON line, then its summary.
pub fn print_rows(path: &Path) -> Result<(), CliError> {
    let mut input = open(path)?;
    let kind = BillKind::detect(input.fill_buf()?).ok_or_else(|| {
        CliError::Usage(format!(
            "{} is neither a trade bill (交易时间,...) nor a fund-flow bill (记账时间,...)",
            path.display()
        ))
    })?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let fail = bill_error(path);
    match kind {
        BillKind::FundFlow => {
            let mut rows = FundFlowBillReader::new(input);
            for row in &mut rows {
                line(&mut out, &row.map_err(&fail)?)?;
            }
            line(&mut out, &json!({ "summary": rows.summary() }))?;
        }
        _ => {
            let mut rows = TradeBillReader::new(input);
            for row in &mut rows {
                line(&mut out, &row.map_err(&fail)?)?;
            }
            line(
                &mut out,
                &json!({ "summary": rows.summary(), "layout": rows.layout() }),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

pub fn reconcile(args: &BillReconcileArgs) -> Result<(), CliError> {
    let date: BillDate = args
        .date
        .parse()
        .map_err(|e| CliError::Usage(format!("--date: {e}")))?;
    let mut book = LocalBook::new();
    read_csv(&args.orders, ORDER_COLUMNS, |v| {
        book.add_order(order(v)?);
        Ok(())
    })?;
    if let Some(refunds) = &args.refunds {
        read_csv(refunds, REFUND_COLUMNS, |v| {
            book.add_refund(refund(v)?);
            Ok(())
        })?;
    }
    let mut reconciler = Reconciler::new(date, &book);
    let fail = bill_error(&args.bill);
    for row in TradeBillReader::new(open(&args.bill)?) {
        reconciler.check(&row.map_err(&fail)?);
    }
    let report = reconciler.finish();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for d in &report.discrepancies {
        line(&mut out, d)?;
    }
    line(
        &mut out,
        &json!({ "reconciliation": {
            "date": report.date,
            "payments": report.payments,
            "refunds": report.refunds,
            "matched": report.matched,
            "discrepancies": report.discrepancies.len(),
        }}),
    )?;
    out.flush()?;
    let summary = format!(
        "{date}: {} payments and {} refunds in the bill, {} matched, {} differences",
        report.payments,
        report.refunds,
        report.matched,
        report.discrepancies.len()
    );
    if report.is_clean() {
        eprintln!("{summary}");
        Ok(())
    } else {
        for d in &report.discrepancies {
            eprintln!("  {d}");
        }
        Err(CliError::Differ(summary))
    }
}

const ORDER_COLUMNS: &[&str] = &["out_trade_no", "total", "state", "paid_at"];
const REFUND_COLUMNS: &[&str] = &[
    "out_refund_no",
    "out_trade_no",
    "amount",
    "state",
    "requested_at",
];

/// One CSV record's values, in the order of the columns asked for.
struct Values<'a> {
    file: &'a Path,
    columns: &'a [&'a str],
    line: usize,
    values: Vec<&'a str>,
}

impl Values<'_> {
    fn bad(&self, column: &str, expected: &str) -> CliError {
        CliError::Usage(format!(
            "{} line {}: {column} {:?} is not {expected}",
            self.file.display(),
            self.line,
            self.get(column)
        ))
    }

    fn get(&self, column: &str) -> &str {
        self.columns
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.values.get(i).copied())
            .unwrap_or_default()
    }

    fn fen(&self, column: &str) -> Result<i64, CliError> {
        self.get(column)
            .parse()
            .map_err(|_| self.bad(column, "an amount in fen"))
    }

    fn time(&self, column: &str) -> Result<Option<ChinaTime>, CliError> {
        match self.get(column) {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(|_| {
                self.bad(
                    column,
                    "a time (2024-03-01 12:00:00 China time, or RFC 3339)",
                )
            }),
        }
    }
}

fn order(v: &Values<'_>) -> Result<LocalOrder, CliError> {
    let total = v.fen("total")?;
    let state = match v.get("state").to_ascii_uppercase().as_str() {
        "PAID" | "SUCCESS" => LocalOrderState::Paid,
        "UNPAID" | "NOTPAY" => LocalOrderState::Unpaid,
        "CLOSED" => LocalOrderState::Closed,
        _ => return Err(v.bad("state", "PAID, UNPAID or CLOSED")),
    };
    let no = v.get("out_trade_no");
    let order = match v.time("paid_at")? {
        Some(at) => LocalOrder::paid(no, total, at),
        None => LocalOrder::unpaid(no, total),
    };
    Ok(order.with_state(state))
}

fn refund(v: &Values<'_>) -> Result<LocalRefund, CliError> {
    let state = match v.get("state").to_ascii_uppercase().as_str() {
        "PROCESSING" | "" => LocalRefundState::Processing,
        "SUCCEEDED" | "SUCCESS" => LocalRefundState::Succeeded,
        "FAILED" | "CLOSED" => LocalRefundState::Failed,
        _ => return Err(v.bad("state", "PROCESSING, SUCCEEDED or FAILED")),
    };
    let requested = v
        .time("requested_at")?
        .ok_or_else(|| v.bad("requested_at", "a time"))?;
    Ok(LocalRefund::requested(
        v.get("out_refund_no"),
        v.get("out_trade_no"),
        v.fen("amount")?,
        requested,
    )
    .with_state(state))
}

/// Reads a headed CSV (no quoting) line by line, handing each record's
/// `columns` to `each` in that order.
fn read_csv(
    path: &Path,
    columns: &[&str],
    mut each: impl FnMut(&Values<'_>) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut input = open(path)?;
    let mut text = String::new();
    let mut at: Option<Vec<usize>> = None;
    let mut number = 0;
    loop {
        text.clear();
        let n = (&mut input)
            .take(MAX_CSV_LINE as u64 + 1)
            .read_line(&mut text)
            .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        number += 1;
        if n > MAX_CSV_LINE {
            return Err(CliError::Usage(format!(
                "{} line {number} is longer than {MAX_CSV_LINE} bytes",
                path.display()
            )));
        }
        let record = text
            .trim_start_matches('\u{feff}')
            .trim_end_matches(['\r', '\n']);
        if record.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = record.split(',').map(str::trim).collect();
        let Some(at) = &at else {
            let mut found = Vec::new();
            for column in columns {
                let i = cells.iter().position(|c| c == column).ok_or_else(|| {
                    CliError::Usage(format!(
                        "{} has no column {column} (its header must name {})",
                        path.display(),
                        columns.join(", ")
                    ))
                })?;
                found.push(i);
            }
            at = Some(found);
            continue;
        };
        let values = Values {
            file: path,
            columns,
            line: number,
            values: at
                .iter()
                .map(|i| cells.get(*i).copied().unwrap_or_default())
                .collect(),
        };
        each(&values)?;
    }
    if at.is_none() {
        return Err(CliError::Usage(format!(
            "{} is empty: no header row",
            path.display()
        )));
    }
    Ok(())
}
