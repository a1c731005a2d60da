//! wxpay-sandbox: being written.
