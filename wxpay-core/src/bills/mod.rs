//! Bills (对账单): download a day's bill with its SHA-1 checked, read it as
//! typed rows while it streams in, check it adds up, and reconcile it
//! against your own orders.
//!
//! - [`Client::download_bill`](crate::Client::download_bill) →
//!   [`BillDownload`]: the verified, un-gzipped content, chunk by chunk
//!   (`save_to` a file, or [`into_reader`](BillDownload::into_reader)).
//! - [`TradeBillReader`] / [`FundFlowBillReader`] over any
//!   [`std::io::Read`] (a file, `&[u8]`, an APIv2
//!   [`V2Bill`](crate::v2::V2Bill)'s bytes), and [`AsyncTradeBillReader`] /
//!   [`AsyncFundFlowBillReader`] over any [`tokio::io::AsyncRead`] (a file,
//!   a download): rows as [`TradeRecord`] ([`Payment`] or [`Refund`]) and
//!   [`FundFlowRecord`], in memory bounded by one line whatever the bill's
//!   size. After the last row the summary block is checked: rows that do
//!   not add up are a [`BillError::SummaryMismatch`] naming the total.
//! - [`Reconciler`]: the bill against your records ([`MerchantRecords`]),
//!   every difference a [`Discrepancy`] with the ids to act on.
//! - [`BillDate`]: the China calendar day a bill covers, and when it can be
//!   fetched; [`BillUnavailable`]: `NO_STATEMENT_EXIST` and
//!   `STATEMENT_CREATING` with what to do.
//!
//! Money is exact: amounts are integer fen, fees ([`Fee`]) keep the five
//! decimals bills write them with; nothing goes through floating point.
//! Times are [`ChinaTime`] (UTC+8). States and types are enums that keep
//! values this SDK does not know ([`TradeType`], [`TradeState`],
//! [`RefundStatus`] ...). Columns the SDK does not know are kept
//! ([`Payment::extra`]); a documented column that is missing is a
//! [`BillError::MissingColumn`] naming it.
//!
//! ## When a day's bill exists
//!
//! Bills are dated by the China calendar. Day D's bills are generated from
//! 09:00 China time on D+1 and should be fetched after 10:00
//! ([`BillDate::available_from`]); today's bill never exists. Bills go back
//! about three months.
//!
//! ## A day, end to end
//!
//! ```no_run
//! use wxpay_core::bills::{
//!     AsyncTradeBillReader, BillDate, BillInfo, LocalBook, LocalOrder, Reconciler,
//! };
//! use wxpay_core::{Client, Method};
//!
//! # async fn run(client: Client, my_orders: LocalBook) -> Result<(), Box<dyn std::error::Error>> {
//! let date = BillDate::yesterday_in_china(); // fetch after 10:00 China time
//! let info: BillInfo = client
//!     .request(Method::Get, "v3/bill/tradebill")
//!     .query_pair("bill_date", &date.to_string())
//!     .query_pair("tar_type", "GZIP")
//!     .send()
//!     .await?;
//! let download = client.download_bill(&info).await?;
//! let mut rows = AsyncTradeBillReader::new(download.into_reader());
//! let mut reconciler = Reconciler::new(date, &my_orders);
//! while let Some(row) = rows.next().await {
//!     reconciler.check(&row?); // the SHA-1 and the summary are checked at the end
//! }
//! let report = reconciler.finish();
//! for difference in &report.discrepancies {
//!     println!("{difference}");
//! }
//! # Ok(()) }
//! ```
//!
//! ## A file
//!
//! ```
//! use wxpay_core::bills::{TradeBillReader, TradeRecord};
//!
//! let bill = "\u{feff}交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n\
//!     `2024-03-01 09:30:00,`wx8888,`1900009191,`0,`,`4200000001,`A-1,`openid,`JSAPI,`SUCCESS,`OTHERS,`CNY,`10.00,`0.00,`0,`0,`0.00,`0.00,`,`,`一杯咖啡,`,`0.06000,`0.60%,`10.00,`0.00,`\r\n\
//!     `2024-03-01 11:00:00,`wx8888,`1900009191,`0,`,`4200000001,`A-1,`openid,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5030000001,`R-1,`3.00,`0.00,`ORIGINAL,`SUCCESS,`一杯咖啡,`,`-0.01800,`0.60%,`0.00,`3.00,`\r\n\
//!     总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n\
//!     `2,`10.00,`3.00,`0.00,`0.04200,`10.00,`3.00\r\n";
//! let mut rows = TradeBillReader::new(bill.as_bytes());
//! for row in &mut rows {
//!     match row? {
//!         TradeRecord::Payment(p) => assert_eq!((p.out_trade_no(), p.order_total()), ("A-1", 1000)),
//!         TradeRecord::Refund(r) => assert_eq!((r.out_refund_no(), r.refund()), ("R-1", 300)),
//!         _ => {}
//!     }
//! }
//! assert_eq!(rows.summary().unwrap().fee_total.to_string(), "0.04200");
//! # Ok::<(), wxpay_core::bills::BillError>(())
//! ```

mod date;
mod download;
mod error;
mod layout;
mod money;
mod reader;
mod reconcile;
mod record;
mod summary;
mod time;

pub use date::{BillDate, BillUnavailable, BILL_GENERATION_HOUR, BILL_READY_HOUR};
pub use download::{BillDownload, BillDownloadReader, BillInfo};
pub use error::BillError;
pub use layout::TradeBillLayout;
pub use money::{fen_to_yuan, Fee, FeeRate};
pub use reader::{
    AsyncFundFlowBillReader, AsyncTradeBillReader, BillKind, FundFlowBillReader, TradeBillReader,
    MAX_LINE_BYTES,
};
pub use reconcile::{
    Discrepancy, LocalBook, LocalOrder, LocalOrderState, LocalRefund, LocalRefundState,
    MerchantRecords, Reconciler, Reconciliation, RefundProblem,
};
pub use record::{
    FundBusinessName, FundBusinessType, FundDirection, FundFlowRecord, Payment, Refund,
    RefundStatus, RefundType, TradeRecord, TradeState, TradeType,
};
pub use summary::{FundFlowSummary, TradeSummary};
pub use time::ChinaTime;
