//! Nothing here: the compile-fail cases are `ui/*.rs`, run by `ui.rs`.
