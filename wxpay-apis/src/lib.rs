//! # wxpay-apis
//!
//! Typed WeChat Pay APIv3 endpoints. Each operation is a request struct
//! declared with [`#[wxpay_api]`](wxpay_core::wxpay_api); the module path
//! mirrors the URL (`v3/ecommerce/refunds/{refund_id}/return-advance` →
//! [`ecommerce::refunds::return_advance`]), and business areas are cargo
//! features so an application compiles only what it uses.
//!
//! ```no_run
//! # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::ecommerce::refunds::return_advance::ReturnAdvanceRequest;
//!
//! let advance = ReturnAdvanceRequest {
//!     refund_id: "50000000382019052709732678859",
//!     sub_mchid: "1900000109",
//! }
//! .send(&client)
//! .await?;
//! println!("{}: {} fen", advance.advance_return_id, advance.return_amount);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "ecommerce")]
pub mod ecommerce;
