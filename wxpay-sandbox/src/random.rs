//! Randomness for the ids, nonces and tokens the sandbox hands out, straight
//! from the operating system (not the SDK's helpers: the sandbox shares only
//! key types and RSA/AES primitives with the SDK it tests).

use crate::error::SandboxError;

const ALPHANUMERIC: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Fills `buf` from the operating system.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), SandboxError> {
    getrandom::fill(buf).map_err(|e| SandboxError::Entropy(e.to_string()))
}

/// `len` characters of `[0-9A-Za-z]`, each equally likely (WeChat's nonce alphabet).
pub(crate) fn alphanumeric(len: usize) -> Result<String, SandboxError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill(&mut buf)?;
        // 248 = 4 * 62: the top bytes are dropped so no character is favoured.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHANUMERIC[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

/// `len` decimal digits.
pub(crate) fn digits(len: usize) -> Result<String, SandboxError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill(&mut buf)?;
        // 250 = 25 * 10.
        for &b in buf.iter().filter(|&&b| b < 250) {
            if out.len() == len {
                break;
            }
            out.push(char::from(b'0' + b % 10));
        }
    }
    Ok(out)
}

/// `len` lower-case hexadecimal digits.
pub(crate) fn hex(len: usize) -> Result<String, SandboxError> {
    let mut bytes = vec![0u8; len.div_ceil(2)];
    fill(&mut bytes)?;
    let mut text = crate::digest::hex(&bytes);
    text.truncate(len);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_have_the_asked_length_and_alphabet() {
        let a = alphanumeric(100).unwrap();
        assert_eq!(a.len(), 100);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, alphanumeric(100).unwrap());
        let d = digits(37).unwrap();
        assert_eq!(d.len(), 37);
        assert!(d.bytes().all(|b| b.is_ascii_digit()));
        let h = hex(33).unwrap();
        assert_eq!(h.len(), 33);
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(alphanumeric(0).unwrap(), "");
    }
}
