//! The real `wxpay` binary against a real sandbox on 127.0.0.1: every
//! subcommand, its success and its failure exits, and the `--help` texts.
//!
//! One sandbox (certificate mode) serves every test; it writes its
//! credentials folder, and the binary is pointed at the `wxpay.toml` in it.
//! Set `WXPAY_UPDATE_SNAPSHOTS=1` to rewrite `tests/snapshots/*.txt`.

mod bills;
mod doctor;
mod exit_codes;
mod keys;
mod payments;
mod request;
mod shell;
mod support;
