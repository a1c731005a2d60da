//! The password-based crypto of PKCS#12: its own key derivation (RFC 7292
//! appendix B) for the MAC and the legacy PBE schemes, and PBES2 (PBKDF2,
//! AES-CBC) as OpenSSL 3 writes by default.

use std::cell::Cell;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyInit, KeyIvInit};
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Tag, Tagged};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::der::{algorithm, fields, octets, unsigned, Result};
use super::error::Pkcs12Error;

/// The most iterations any key derivation may ask for. OpenSSL 3 writes
/// 2048, Python's `cryptography` 5000 by default; each MAC or decryption
/// costs about this many hashes, so the limit bounds a hostile file's cost.
pub(super) const MAX_ITERATIONS: u32 = 1_000_000;
/// The most iterations a whole file may ask for (charged per hash block
/// derived): a file at the per-count limit with a MAC and two encrypted
/// contents fits, and a hostile one costs at most a few seconds.
pub(super) const MAX_TOTAL_ITERATIONS: usize = 8_000_000;
/// The longest salt read (files use 8 or 16 bytes).
const MAX_SALT: usize = 1024;

const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
const HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
const HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");

/// The password in both forms PKCS#12 uses: BMPString (UTF-16 big-endian
/// with a trailing zero) for its own KDF, the UTF-8 bytes for PBKDF2; and
/// the iterations spent with it so far, which the file's reading may not
/// push past [`MAX_TOTAL_ITERATIONS`].
pub(super) struct Password<'p> {
    pub(super) bmp: Zeroizing<Vec<u8>>,
    utf8: &'p [u8],
    spent: Cell<usize>,
}

impl<'p> Password<'p> {
    pub(super) fn new(password: &'p str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 4 + 2));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Password {
            bmp,
            utf8: password.as_bytes(),
            spent: Cell::new(0),
        }
    }

    /// The iteration count `found` in the file, checked against the limit
    /// and charged `blocks` times (the hash blocks it will derive).
    pub(super) fn iterations(&self, found: u64, blocks: usize) -> Result<u32> {
        let rounds = match u32::try_from(found) {
            Ok(0) => return Err(Pkcs12Error::Malformed("iteration count 0")),
            Ok(n) if n <= MAX_ITERATIONS => n,
            _ => {
                return Err(Pkcs12Error::Iterations {
                    found,
                    limit: MAX_ITERATIONS,
                })
            }
        };
        let spent = self.spent.get() + rounds as usize * blocks;
        if spent > MAX_TOTAL_ITERATIONS {
            return Err(Pkcs12Error::Limit {
                what: "iterations in total",
                limit: MAX_TOTAL_ITERATIONS,
            });
        }
        self.spent.set(spent);
        Ok(rounds)
    }
}

fn salt<'a>(any: &AnyRef<'a>, what: &'static str) -> Result<&'a [u8]> {
    let salt = octets(any, what)?;
    if salt.len() > MAX_SALT {
        return Err(Pkcs12Error::Limit {
            what: "salt bytes",
            limit: MAX_SALT,
        });
    }
    Ok(salt)
}

/// Which output of the PKCS#12 KDF (RFC 7292 B.3).
#[derive(Clone, Copy)]
pub(super) enum Purpose {
    Key = 1,
    Iv = 2,
    Mac = 3,
}

/// RFC 7292 B.2 with a 64-byte block (SHA-1 and SHA-256), filling `out`.
pub(super) fn kdf<D: Digest>(
    password: &Password<'_>,
    salt: &[u8],
    purpose: Purpose,
    rounds: u32,
    out: &mut [u8],
) {
    const V: usize = 64;
    let repeat = |src: &[u8]| -> Vec<u8> {
        let len = V * src.len().div_ceil(V);
        src.iter().copied().cycle().take(len).collect()
    };
    let diversifier = [purpose as u8; V];
    let mut input = Zeroizing::new(repeat(salt));
    input.extend_from_slice(&Zeroizing::new(repeat(&password.bmp)));
    let mut filled = 0;
    loop {
        let mut a = D::new()
            .chain_update(diversifier)
            .chain_update(&*input)
            .finalize();
        for _ in 1..rounds {
            a = D::digest(&a);
        }
        let n = a.len().min(out.len() - filled);
        out[filled..filled + n].copy_from_slice(&a[..n]);
        filled += n;
        if filled == out.len() {
            a.as_mut_slice().zeroize();
            return;
        }
        // I_j = (I_j + B + 1) mod 2^(8V), B being A repeated to V bytes.
        let b = Zeroizing::new(repeat(&a));
        a.as_mut_slice().zeroize();
        for block in input.chunks_mut(V) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().zip(b.iter()).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
}

/// Checks the PFX's MacData over `content` (the AuthenticatedSafe's octets).
pub(super) fn verify_mac(
    mac_data: AnyRef<'_>,
    password: &Password<'_>,
    content: &[u8],
) -> Result<()> {
    let parts = fields(mac_data, "MacData", 2, 3)?;
    let digest_info = fields(parts[0], "MacData digest", 2, 2)?;
    let (digest, params) = algorithm(digest_info[0], "MAC digest algorithm")?;
    // Absent or NULL: anything else is not a digest this reader knows.
    if params.is_some_and(|p| p.tag() != Tag::Null || !p.value().is_empty()) {
        return Err(Pkcs12Error::Malformed("MAC digest parameters"));
    }
    let expected = octets(&digest_info[1], "MAC value")?;
    let salt = salt(&parts[1], "MAC salt")?;
    let rounds = match parts.get(2) {
        Some(count) => password.iterations(unsigned(count, "MAC iterations")?, 1)?,
        None => 1,
    };
    let matches = if digest == SHA1 {
        let mut key = Zeroizing::new([0u8; 20]);
        kdf::<Sha1>(password, salt, Purpose::Mac, rounds, &mut *key);
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&*key)
            .map_err(|_| Pkcs12Error::Malformed("MAC key"))?;
        mac.update(content);
        mac.verify_slice(expected).is_ok()
    } else if digest == SHA256 {
        let mut key = Zeroizing::new([0u8; 32]);
        kdf::<Sha256>(password, salt, Purpose::Mac, rounds, &mut *key);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&*key)
            .map_err(|_| Pkcs12Error::Malformed("MAC key"))?;
        mac.update(content);
        mac.verify_slice(expected).is_ok()
    } else {
        return Err(unsupported("MAC digest", digest));
    };
    if matches {
        Ok(())
    } else {
        Err(Pkcs12Error::MacMismatch)
    }
}

fn unsupported(what: &'static str, oid: ObjectIdentifier) -> Pkcs12Error {
    Pkcs12Error::Unsupported {
        what,
        oid: oid.to_string(),
    }
}

/// Decrypts `data` as the AlgorithmIdentifier `algorithm` says.
pub(super) fn decrypt(
    algorithm_id: AnyRef<'_>,
    password: &Password<'_>,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let (scheme, params) = algorithm(algorithm_id, "encryption algorithm")?;
    let params = params.ok_or(Pkcs12Error::Malformed("encryption parameters"))?;
    if scheme == PBES2 {
        return pbes2(params, password, data);
    }
    if scheme != PBE_SHA1_3DES && scheme != PBE_SHA1_RC2_40 {
        return Err(unsupported("encryption", scheme));
    }
    // pkcs-12PbeParams: SEQUENCE { salt OCTET STRING, iterations INTEGER }
    let parts = fields(params, "PBE parameters", 2, 2)?;
    let salt = salt(&parts[0], "PBE salt")?;
    // 3DES: two SHA-1 blocks of key and one of IV; RC2-40: one and one.
    let blocks = if scheme == PBE_SHA1_3DES { 3 } else { 2 };
    let rounds = password.iterations(unsigned(&parts[1], "PBE iterations")?, blocks)?;
    let mut iv = Zeroizing::new([0u8; 8]);
    kdf::<Sha1>(password, salt, Purpose::Iv, rounds, &mut *iv);
    if scheme == PBE_SHA1_3DES {
        let mut key = Zeroizing::new([0u8; 24]);
        kdf::<Sha1>(password, salt, Purpose::Key, rounds, &mut *key);
        let decryptor = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&*key, &*iv)
            .map_err(|_| Pkcs12Error::Decrypt)?;
        cbc_decrypt(decryptor, data)
    } else {
        let mut key = Zeroizing::new([0u8; 5]);
        kdf::<Sha1>(password, salt, Purpose::Key, rounds, &mut *key);
        let cipher = rc2::Rc2::new_with_eff_key_len(&*key, 40);
        let decryptor =
            cbc::Decryptor::inner_iv_slice_init(cipher, &*iv).map_err(|_| Pkcs12Error::Decrypt)?;
        cbc_decrypt(decryptor, data)
    }
}

/// PBES2 (RFC 8018 6.2) with PBKDF2 (HMAC-SHA1 or HMAC-SHA256) and AES-CBC.
fn pbes2(params: AnyRef<'_>, password: &Password<'_>, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let parts = fields(params, "PBES2 parameters", 2, 2)?;
    let (kdf_id, kdf_params) = algorithm(parts[0], "PBES2 key derivation")?;
    if kdf_id != PBKDF2 {
        return Err(unsupported("key derivation", kdf_id));
    }
    let kdf_params = kdf_params.ok_or(Pkcs12Error::Malformed("PBKDF2 parameters"))?;
    // PBKDF2-params: salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1
    let kdf_fields = fields(kdf_params, "PBKDF2 parameters", 2, 4)?;
    let salt = salt(&kdf_fields[0], "PBKDF2 salt")?;
    let rounds = password.iterations(unsigned(&kdf_fields[1], "PBKDF2 iterations")?, 2)?;
    let mut key_length = None;
    let mut prf = HMAC_SHA1;
    for field in &kdf_fields[2..] {
        match field.tag() {
            Tag::Integer if key_length.is_none() => {
                key_length = Some(unsigned(field, "PBKDF2 key length")?)
            }
            Tag::Sequence => prf = algorithm(*field, "PBKDF2 PRF")?.0,
            _ => return Err(Pkcs12Error::Malformed("PBKDF2 parameters")),
        }
    }
    let (cipher, iv) = algorithm(parts[1], "PBES2 encryption")?;
    let key_len = if cipher == AES128_CBC {
        16
    } else if cipher == AES192_CBC {
        24
    } else if cipher == AES256_CBC {
        32
    } else {
        return Err(unsupported("encryption", cipher));
    };
    if key_length.is_some_and(|n| n != key_len as u64) {
        return Err(Pkcs12Error::Malformed("PBKDF2 key length"));
    }
    let iv = octets(
        &iv.ok_or(Pkcs12Error::Malformed("AES-CBC IV"))?,
        "AES-CBC IV",
    )?;
    if iv.len() != 16 {
        return Err(Pkcs12Error::Malformed("AES-CBC IV"));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    let key = &mut key[..key_len];
    if prf == HMAC_SHA1 {
        pbkdf2::pbkdf2_hmac::<Sha1>(password.utf8, salt, rounds, key);
    } else if prf == HMAC_SHA256 {
        pbkdf2::pbkdf2_hmac::<Sha256>(password.utf8, salt, rounds, key);
    } else {
        return Err(unsupported("PBKDF2 PRF", prf));
    }
    let key = &*key;
    let bad_key = |_| Pkcs12Error::Decrypt;
    match key_len {
        16 => cbc_decrypt(
            cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv).map_err(bad_key)?,
            data,
        ),
        24 => cbc_decrypt(
            cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv).map_err(bad_key)?,
            data,
        ),
        _ => cbc_decrypt(
            cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv).map_err(bad_key)?,
            data,
        ),
    }
}

/// CBC decryption and PKCS#7 unpadding into a buffer wiped on drop.
fn cbc_decrypt<D: BlockDecryptMut>(decryptor: D, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut buffer = Zeroizing::new(data.to_vec());
    let len = decryptor
        .decrypt_padded_mut::<Pkcs7>(&mut buffer)
        .map_err(|_| Pkcs12Error::Decrypt)?
        .len();
    buffer.truncate(len);
    Ok(buffer)
}
