//! The reader's structure rules on PFX files built here (a MAC computed with
//! the KDF the OpenSSL and `cryptography` fixtures of `tests/v2/pkcs12.rs`
//! check), and PBES2 against `openssl pkcs8` output.

use ::der::asn1::ObjectIdentifier;
use base64::Engine;
use hmac::{Hmac, Mac as _};
use sha1::Sha1;

use super::pbe::{decrypt, kdf, Password, Purpose};
use super::*;

const PASSWORD: &str = "1900000100";
const SHA1_OID: &str = "1.3.14.3.2.26";

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    tlv(0x06, ObjectIdentifier::new_unwrap(dotted).as_bytes())
}

fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

fn int(n: u32) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(3);
    let mut digits = bytes[start..].to_vec();
    if digits[0] & 0x80 != 0 {
        digits.insert(0, 0);
    }
    tlv(0x02, &digits)
}

fn explicit0(inner: &[u8]) -> Vec<u8> {
    tlv(0xA0, inner)
}

fn attributes(key_id: Option<&[u8]>) -> Vec<u8> {
    match key_id {
        Some(id) => tlv(
            0x31,
            &seq(&[&oid("1.2.840.113549.1.9.21"), &tlv(0x31, &octets(id))]),
        ),
        None => Vec::new(),
    }
}

fn key_bag(key: &[u8], key_id: Option<&[u8]>) -> Vec<u8> {
    seq(&[
        &oid("1.2.840.113549.1.12.10.1.1"),
        &explicit0(key),
        &attributes(key_id),
    ])
}

fn cert_bag(cert: &[u8], key_id: Option<&[u8]>) -> Vec<u8> {
    let value = seq(&[&oid("1.2.840.113549.1.9.22.1"), &explicit0(&octets(cert))]);
    seq(&[
        &oid("1.2.840.113549.1.12.10.1.3"),
        &explicit0(&value),
        &attributes(key_id),
    ])
}

/// A plain `data` ContentInfo holding `bags`.
fn data(bags: &[Vec<u8>]) -> Vec<u8> {
    let contents = tlv(0x30, &bags.concat());
    seq(&[&oid("1.2.840.113549.1.7.1"), &explicit0(&octets(&contents))])
}

/// A PFX of `infos` with an HMAC-SHA1 MAC (`iterations`, `digest`).
fn pfx_with(infos: &[Vec<u8>], digest: &str, iterations: u32) -> Vec<u8> {
    let safe = tlv(0x30, &infos.concat());
    let salt = [7u8; 8];
    let mut key = [0u8; 20];
    kdf::<Sha1>(
        &Password::new(PASSWORD),
        &salt,
        Purpose::Mac,
        iterations.max(1),
        &mut key,
    );
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(&safe);
    let mac = mac.finalize().into_bytes();
    let mac_data = seq(&[
        &seq(&[&seq(&[&oid(digest), &[5, 0]]), &octets(&mac)]),
        &octets(&salt),
        &int(iterations),
    ]);
    seq(&[
        &int(3),
        &seq(&[&oid("1.2.840.113549.1.7.1"), &explicit0(&octets(&safe))]),
        &mac_data,
    ])
}

fn pfx(infos: &[Vec<u8>]) -> Vec<u8> {
    pfx_with(infos, SHA1_OID, 1)
}

use hmac::digest::KeyInit;

fn read_it(pfx: &[u8]) -> Result<Identity> {
    read(pfx, PASSWORD, Mac::Verify)
}

const KEY: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x00];
const CA: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x01];
const LEAF: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x02];

#[test]
fn the_key_s_certificate_comes_first_then_the_others_in_order() {
    let file = pfx(&[
        data(&[cert_bag(CA, None), cert_bag(LEAF, Some(b"id"))]),
        data(&[key_bag(KEY, Some(b"id"))]),
    ]);
    let identity = read_it(&file).unwrap();
    assert_eq!(identity.chain, vec![LEAF.to_vec(), CA.to_vec()]);
    assert_eq!(identity.key.as_slice(), KEY);
    let pem = identity.to_pem().unwrap();
    let pem = std::str::from_utf8(&pem).unwrap();
    assert!(
        pem.starts_with("-----BEGIN CERTIFICATE-----\nMAMCAQI=\n"),
        "{pem}"
    );
    assert!(
        pem.ends_with("-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n"),
        "{pem}"
    );
    // The only certificate needs no localKeyId.
    let file = pfx(&[data(&[key_bag(KEY, None), cert_bag(LEAF, None)])]);
    assert_eq!(read_it(&file).unwrap().chain, vec![LEAF.to_vec()]);
}

#[test]
fn a_file_needs_exactly_one_key_and_its_certificate() {
    let certs_only = pfx(&[data(&[cert_bag(LEAF, Some(b"id"))])]);
    assert_eq!(read_it(&certs_only).err(), Some(Pkcs12Error::NoKey));
    let two_keys = pfx(&[data(&[
        key_bag(KEY, None),
        key_bag(KEY, None),
        cert_bag(LEAF, None),
    ])]);
    assert_eq!(read_it(&two_keys).err(), Some(Pkcs12Error::SeveralKeys));
    let key_only = pfx(&[data(&[key_bag(KEY, None)])]);
    assert_eq!(read_it(&key_only).err(), Some(Pkcs12Error::NoCertificate));
    let unmatched = pfx(&[data(&[
        key_bag(KEY, Some(b"a")),
        cert_bag(LEAF, Some(b"b")),
        cert_bag(CA, None),
    ])]);
    assert_eq!(read_it(&unmatched).err(), Some(Pkcs12Error::NoCertificate));
}

/// `openssl req -x509 -newkey rsa:512 -nodes` (PKCS#8 DER) and its certificate.
const RSA_PKCS8: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA3t/7ZTBn3VZvpE1wkOSuhrkx3tut8X4uYSfP7CCKPygBJ/kLyJD6LWDAC2vZvyTz4TKXZ5HujtfnGFdatXfSQwIDAQABAkBzkHRMTcMtc6pD6ZuapdkRJmoDgqk49RKbcgdQCrdkcyQaiQ4LOLL5foJzj31hLjkgWAu7Vq/k/IuRHcS9/WRhAiEA8e1fPMBxKDYJWpf2cQR5B24410+Y5I8PBWbCWzJx0EkCIQDr1uUjazaKGJkDOuIb5gWRm2vOM2gDBpOWD5a7WfcmKwIgEaYcdYUgfCt9ATPm0ZXe8nDTCroO0FWzZdR6R0bl0KkCIQDd89qmYMptYQTwQ0R1GR/4jxsAbuTepBvVyEoFfH/bDQIhAL7DmgpE6folrMe70eMTyP2cEvxj+c+4O3hZoqIEL97N";
const RSA_CERT: &str = "MIIBcTCCARugAwIBAgIUVQjesEBDuanUF9/MVChhd8Qzn0gwDQYJKoZIhvcNAQELBQAwDDEKMAgGA1UEAwwBdDAgFw0yNjEyMDIxMzE2NDFaGA8yMTI2MTEwODEzMTY0MVowDDEKMAgGA1UEAwwBdDBcMA0GCSqGSIb3DQEBAQUAA0sAMEgCQQDe3/tlMGfdVm+kTXCQ5K6GuTHe263xfi5hJ8/sIIo/KAEn+QvIkPotYMALa9m/JPPhMpdnke6O1+cYV1q1d9JDAgMBAAGjUzBRMB0GA1UdDgQWBBQ+oHMOjUrxqGkPEfQ3Op5pt/booDAfBgNVHSMEGDAWgBQ+oHMOjUrxqGkPEfQ3Op5pt/booDAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA0EALFAqCKKvYTETBvxErVcFl+FySCSGvUT9/ploNjJcMwmAo7mM50UahIT0nAjd+tCd9bsY1ALFQ5oA1Os4rSDbyA==";

#[test]
fn without_local_key_ids_the_rsa_key_finds_its_certificate() {
    let b64 = |s| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    let (key, cert) = (b64(RSA_PKCS8), b64(RSA_CERT));
    let file = pfx(&[data(&[
        cert_bag(CA, None),
        cert_bag(&cert, None),
        key_bag(&key, None),
    ])]);
    assert_eq!(read_it(&file).unwrap().chain, vec![cert, CA.to_vec()]);
    let file = pfx(&[data(&[
        cert_bag(CA, None),
        cert_bag(LEAF, None),
        key_bag(&key, None),
    ])]);
    assert_eq!(read_it(&file).err(), Some(Pkcs12Error::NoCertificate));
}

#[test]
fn counts_are_bounded() {
    let many = |n| (0..n).map(|_| cert_bag(CA, None)).collect::<Vec<_>>();
    let bags = pfx(&[data(&many(65))]);
    assert_eq!(
        read_it(&bags).err(),
        Some(Pkcs12Error::Limit {
            what: "bags",
            limit: 64
        })
    );
    // The bag limit is over all contents together.
    let spread = pfx(&[data(&many(40)), data(&many(40))]);
    assert_eq!(
        read_it(&spread).err(),
        Some(Pkcs12Error::Limit {
            what: "bags",
            limit: 64
        })
    );
    let infos: Vec<_> = (0..17).map(|_| data(&[])).collect();
    assert_eq!(
        read_it(&pfx(&infos)).err(),
        Some(Pkcs12Error::Limit {
            what: "content infos",
            limit: 16
        })
    );
    let attribute = seq(&[
        &oid("1.2.840.113549.1.9.20"),
        &tlv(0x31, &tlv(0x1e, b"\0a")),
    ]);
    let attributes = tlv(0x31, &vec![attribute; 17].concat());
    let bag = seq(&[
        &oid("1.2.840.113549.1.12.10.1.1"),
        &explicit0(KEY),
        &attributes,
    ]);
    assert_eq!(
        read_it(&pfx(&[data(&[bag])])).err(),
        Some(Pkcs12Error::Limit {
            what: "bag attributes",
            limit: 16
        })
    );
}

#[test]
fn unsupported_modes_and_algorithms_are_named() {
    let unsupported = |what, oid: &str| {
        Some(Pkcs12Error::Unsupported {
            what,
            oid: oid.to_owned(),
        })
    };
    // envelopedData content.
    let enveloped = seq(&[&oid("1.2.840.113549.1.7.3"), &explicit0(&seq(&[]))]);
    assert_eq!(
        read_it(&pfx(&[enveloped])).err(),
        unsupported("content type", "1.2.840.113549.1.7.3")
    );
    // Public-key integrity (signedData).
    let signed = seq(&[
        &int(3),
        &seq(&[&oid("1.2.840.113549.1.7.2"), &explicit0(&seq(&[]))]),
    ]);
    assert_eq!(
        read_it(&signed).err(),
        unsupported("integrity mode (content type)", "1.2.840.113549.1.7.2")
    );
    // A SHA-512 MAC.
    let sha512 = pfx_with(&[data(&[])], "2.16.840.1.101.3.4.2.3", 1);
    assert_eq!(
        read_it(&sha512).err(),
        unsupported("MAC digest", "2.16.840.1.101.3.4.2.3")
    );
    // RC4 encryption.
    let algorithm = seq(&[
        &oid("1.2.840.113549.1.12.1.1"),
        &seq(&[&octets(&[1; 8]), &int(1)]),
    ]);
    let algorithm = der::element(&algorithm, "test").unwrap();
    assert_eq!(
        decrypt(algorithm, &Password::new(PASSWORD), &[0; 16]).err(),
        unsupported("encryption", "1.2.840.113549.1.12.1.1")
    );
}

#[test]
fn bad_iteration_counts_versions_and_passwords_are_typed() {
    let zero = pfx_with(&[data(&[])], SHA1_OID, 0);
    assert_eq!(
        read_it(&zero).err(),
        Some(Pkcs12Error::Malformed("iteration count 0"))
    );
    let mut version = pfx(&[data(&[])]);
    let at = version.windows(3).position(|w| w == [2, 1, 3]).unwrap();
    version[at + 2] = 2;
    assert_eq!(
        read_it(&version).err(),
        Some(Pkcs12Error::Malformed("PFX version is not 3"))
    );
    let file = pfx(&[data(&[key_bag(KEY, None), cert_bag(LEAF, None)])]);
    assert_eq!(
        read(&file, "1900000101", Mac::Verify).err(),
        Some(Pkcs12Error::MacMismatch)
    );
    let safe = tlv(0x30, &data(&[key_bag(KEY, None), cert_bag(LEAF, None)]));
    let no_mac = seq(&[
        &int(3),
        &seq(&[&oid("1.2.840.113549.1.7.1"), &explicit0(&octets(&safe))]),
    ]);
    assert_eq!(read_it(&no_mac).err(), Some(Pkcs12Error::NoMac));
}

#[test]
fn every_truncation_and_every_flipped_bit_is_an_error_not_a_panic() {
    let file = pfx(&[data(&[
        key_bag(KEY, Some(b"id")),
        cert_bag(LEAF, Some(b"id")),
    ])]);
    for len in 0..file.len() {
        assert!(read_it(&file[..len]).is_err(), "truncated to {len}");
    }
    for i in 0..file.len() {
        for bit in 0..8 {
            let mut bad = file.clone();
            bad[i] ^= 1 << bit;
            // Whatever it is, it comes back (fuzz() also reads without the MAC).
            fuzz(&bad, PASSWORD);
            assert!(read_it(&bad).is_err(), "byte {i} bit {bit}");
        }
    }
}

#[test]
fn iterations_are_bounded_per_count_and_in_total() {
    let password = Password::new(PASSWORD);
    assert_eq!(
        password.iterations(1_000_001, 1),
        Err(Pkcs12Error::Iterations {
            found: 1_000_001,
            limit: 1_000_000
        })
    );
    assert_eq!(
        password.iterations(u64::MAX, 1),
        Err(Pkcs12Error::Iterations {
            found: u64::MAX,
            limit: 1_000_000
        })
    );
    // A MAC and two legacy contents at the per-count limit fit ...
    assert_eq!(password.iterations(1_000_000, 1), Ok(1_000_000));
    assert_eq!(password.iterations(1_000_000, 3), Ok(1_000_000));
    assert_eq!(password.iterations(1_000_000, 3), Ok(1_000_000));
    // ... a third does not.
    assert_eq!(
        password.iterations(1_000_000, 2),
        Err(Pkcs12Error::Limit {
            what: "iterations in total",
            limit: 8_000_000
        })
    );
    assert_eq!(password.iterations(1_000_000, 1), Ok(1_000_000));
}

#[test]
fn ber_with_indefinite_lengths_is_named() {
    let ber = [0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00];
    assert!(matches!(read_it(&ber), Err(Pkcs12Error::Malformed(m)) if m.starts_with("BER")));
}

#[test]
fn the_password_is_a_bmp_string_with_a_trailing_zero() {
    let password = Password::new("1a中");
    assert_eq!(
        password.bmp.as_slice(),
        &[0, b'1', 0, b'a', 0x4e, 0x2d, 0, 0]
    );
}

/// `openssl pkcs8 -topk8 -nocrypt -outform DER` of a P-256 key.
const EC_PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdY4Yx7QXsPU2QRzJNILUmfy1IFwi0dXZ8+VOvnOrN+GhRANCAARzgdOjn946Ya86CJRjiYzcuOo67qfoOyglKGpgy5vEgc0+cXYONgTRdjS+shOZybdDjc9HyXgQa8Zs9IKX/moQ";
/// The same key, `openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1
/// -iter 1000 -passout pass:1900000100 -outform DER` (the PRF left out: SHA-1 is the default).
const EC_AES128_SHA1: &str = "MIHeMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAiLMxtrbNSx/wICA+gwHQYJYIZIAWUDBAECBBBYXYoWXHPqIy4Tc+sWcnSyBIGQx5sPnHFbvnjOZZUbQhUnznhpM2ASQFCTLUtL360f07PY9MerSjVROW0hqFkgeTKh9+8z0xDIw9DQKYOseqs2xfQhNdFxLzddjuHpyyxVTvt9y/tSIXoCpL6JLoXYoB8lB+FeVoiVDPwGkK06jzQZOVo8HYQ5QI+RFaCpJUNe/vcSvhlwfpf0SX47GHpzC+or";
/// `... -v2 aes-192-cbc -v2prf hmacWithSHA256 ...`.
const EC_AES192_SHA256: &str = "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjLkrNnALvfXQICA+gwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEARYEEF23DxeXVhQ6ZFf8GGwnpcAEgZA0zrIbvRKXVArTQmfrPcCmWQpvwwRs4AvS19wb5zVsMK20szq007N/6986hI1xxgddCGOYmfYnx1jS0aIDWc8506B2f9sdhQfSm20jEnRVH0K6i+UWwLLr+oa+pJ+RP7bXMpkPZrq8UY2yNVEBJMAQp2zMbCy823bIaHtKXjKyZswnNdecHsaLaT2SSdTAe4s=";

#[test]
fn pbes2_decrypts_what_openssl_pkcs8_encrypts() {
    let b64 = |s| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    let plain = b64(EC_PKCS8);
    for encrypted in [EC_AES128_SHA1, EC_AES192_SHA256] {
        let encrypted = b64(encrypted);
        // EncryptedPrivateKeyInfo, as in a pkcs8ShroudedKeyBag.
        let info =
            super::der::fields(super::der::element(&encrypted, "t").unwrap(), "t", 2, 2).unwrap();
        let data = super::der::octets(&info[1], "t").unwrap();
        let key = decrypt(info[0], &Password::new(PASSWORD), data).unwrap();
        assert_eq!(key.as_slice(), plain.as_slice());
        assert_eq!(
            decrypt(info[0], &Password::new("1900000101"), data).err(),
            Some(Pkcs12Error::Decrypt)
        );
    }
}
