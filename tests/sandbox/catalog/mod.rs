//! Every catalogued operation answers offline: routing by method and path
//! template, validation against the catalog's schema (WeChat's `PARAM_ERROR`
//! with `detail`), sensitive fields, generated answers, and the contract run
//! over all 1,019 operations.

mod contract;
mod funds;
#[path = "generated/typed.rs"]
mod typed;
mod validation;
