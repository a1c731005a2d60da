//! Test-only fault switches (feature `test-faults`, off by default, unstable):
//! they plant a defect in the SDK so a test can show that an independent
//! peer (the sandbox) catches it. Never enable the feature in production.
//!
//! The switches are process-wide: a test that flips one must run in a test
//! binary of its own.

use std::sync::atomic::{AtomicBool, Ordering};

static CORRUPT_SIGNING_MESSAGE: AtomicBool = AtomicBool::new(false);

/// While on, every request signing message has its first byte changed (the
/// method's first letter flips case: `POST` is signed as `pOST`), so each
/// request carries a signature over a message WeChat Pay never sees.
pub fn corrupt_signing_message(on: bool) {
    CORRUPT_SIGNING_MESSAGE.store(on, Ordering::SeqCst);
}

pub(crate) fn apply_to_signing_message(message: &mut [u8]) {
    if CORRUPT_SIGNING_MESSAGE.load(Ordering::SeqCst) {
        if let Some(first) = message.first_mut() {
            *first ^= 0x20;
        }
    }
}
