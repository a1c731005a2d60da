//! The digests the sandbox computes (bill hashes, statement SHA-1s, request
//! fingerprints, certificate serials), from the RustCrypto crates directly.

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Lower-case hexadecimal of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// SHA-1, lower-case hex (WeChat's `hash_value` of a bill, a statement's `sha1`).
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

/// SHA-256.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256, lower-case hex.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(&sha256(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_vectors() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0xff, 0x0a]), "00ff0a");
    }
}
