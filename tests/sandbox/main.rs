//! The sandbox end to end, driven by the real client (`wxpay_core::Client`)
//! and by hand-built raw HTTP over loopback: seed operations, both key modes,
//! request verification, every fault, bad input, and the credentials files.

mod bad_input;
mod callbacks;
mod catalog;
mod console;
mod faults;
mod files;
mod funds;
mod key_modes;
mod lifecycle;
mod limits;
mod managed_certs;
mod notify_axum;
mod registry;
mod request_auth;
mod rotation;
mod seeds;
mod sensitive;
mod support;
