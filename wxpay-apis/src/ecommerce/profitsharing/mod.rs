//! `v3/ecommerce/profitsharing/...`: 收付通 profit sharing (分账).

pub mod after_sales_orders;
pub mod returnorders;
