//! `v3/ecommerce/refunds/...`: 收付通 refunds (退款).

pub mod return_advance;
