//! `v3/ecommerce/...`: 收付通 (the e-commerce platform product). Feature `ecommerce`.

pub mod profitsharing;
pub mod refunds;
