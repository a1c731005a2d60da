//! Key material does not outlive the keys (issue 9, item 6): after the
//! private key, the APIv3 key and a client using both are dropped, neither
//! the PKCS#8 bytes nor the APIv3 key is found anywhere in this process's
//! writable memory.
//!
//! Its own test binary, so no other test's allocations run alongside, and
//! its tests one at a time: a scan copies the memory it reads (a live key of
//! another test included) into its buffer, where a concurrent scan would
//! find it (seen: "3 copies of the APIv3 key remain", about 1 run in 15).
//! The needles are kept XOR-masked, so the test's own copies never match.

use std::io::{Read, Seek, SeekFrom};
use std::sync::{Mutex, MutexGuard};

use base64::Engine;
use wxpay_core::notify::Notifier;
use wxpay_core::{ApiV3Key, Client, Keyring, PrivateKey};

const MASK: u8 = 0x5A;

/// Held for the whole of each test: one scan of this process's memory at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn masked(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().map(|b| b ^ MASK).collect()
}

/// Counts the places in writable memory holding the bytes `needle_masked` masks.
fn occurrences(needle_masked: &[u8]) -> usize {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut mem = std::fs::File::open("/proc/self/mem").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let first = needle_masked[0] ^ MASK;
    let mut found = 0;
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !perms.starts_with("rw") || line.contains("[vvar") || line.contains("[vsyscall") {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
        else {
            continue;
        };
        let mut at = start;
        while at < end {
            let want = ((end - at) as usize).min(buf.len());
            if mem.seek(SeekFrom::Start(at)).is_err() {
                break;
            }
            let Ok(n) = mem.read(&mut buf[..want]) else {
                break;
            };
            if n == 0 {
                break;
            }
            let window = &buf[..n];
            let mut i = 0;
            while i + needle_masked.len() <= window.len() {
                if window[i] == first
                    && window[i..i + needle_masked.len()]
                        .iter()
                        .zip(needle_masked)
                        .all(|(b, m)| b ^ MASK == *m)
                {
                    found += 1;
                }
                i += 1;
            }
            // Overlap chunks by the needle length so no match straddles unseen.
            at += (n.saturating_sub(needle_masked.len() - 1)).max(1) as u64;
        }
    }
    // The buffer holds copies of what it read, the live keys included.
    buf.fill(0);
    found
}

/// A fresh random APIv3 key, returned masked; the plain text is wiped.
fn random_apiv3_key() -> (ApiV3Key, Vec<u8>) {
    let mut text = wxpay_core::unstable::random_alphanumeric(32).unwrap();
    let key = ApiV3Key::new(&text).unwrap();
    let needle = masked(text.as_bytes());
    // SAFETY: overwritten with ASCII zeros, so the String stays valid UTF-8.
    unsafe { text.as_bytes_mut() }.fill(b'0');
    (key, needle)
}

/// A fresh private key and a masked window of its PKCS#8 DER (inside the
/// private exponent).
fn random_private_key() -> (PrivateKey, Vec<u8>) {
    let key = wxpay_core::unstable::generate_private_key().unwrap();
    let mut pem = key.to_pkcs8_pem();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .unwrap();
    let needle = masked(&der[400..432]);
    der.fill(0);
    // SAFETY: overwritten with ASCII zeros, so the String stays valid UTF-8.
    unsafe { pem.as_bytes_mut() }.fill(b'0');
    drop(body);
    (key, needle)
}

#[test]
fn keys_are_wiped_from_memory_when_dropped() {
    let _alone = alone();
    let (apiv3_needle, pkcs8_needle) = {
        let (apiv3, apiv3_needle) = random_apiv3_key();
        let (private, pkcs8_needle) = random_private_key();
        assert!(
            occurrences(&apiv3_needle) >= 1,
            "the scan cannot see the APIv3 key"
        );
        assert!(
            occurrences(&pkcs8_needle) >= 1,
            "the scan cannot see the PKCS#8 key"
        );

        // Use both the way an application does.
        let sealed = apiv3
            .encrypt(b"resource", "0123456789ab", "transaction")
            .unwrap();
        assert_eq!(
            apiv3
                .decrypt(&sealed, "0123456789ab", "transaction")
                .unwrap(),
            b"resource"
        );
        let keyring = Keyring::new();
        keyring
            .add_public_key("PUB_KEY_ID_0100", private.public_key().clone())
            .unwrap();
        let notifier = Notifier::new(keyring.clone(), apiv3.clone());
        let client = Client::builder()
            .mchid("1900000109")
            .merchant_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
            .private_key(private.clone())
            .keyring(keyring)
            .auto_certificates(apiv3.clone())
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        let (serial, ciphertext) = client.encrypt_sensitive("110101199003070000").unwrap();
        assert_eq!(serial, "PUB_KEY_ID_0100");
        assert_eq!(
            client.decrypt_sensitive(&ciphertext).unwrap(),
            "110101199003070000"
        );
        private.sign_sha256(b"message").unwrap();
        let clone = client.clone();
        drop((client, clone, notifier, apiv3, private));
        (apiv3_needle, pkcs8_needle)
    };
    assert_eq!(
        occurrences(&apiv3_needle),
        0,
        "copies of the APIv3 key remain"
    );
    assert_eq!(
        occurrences(&pkcs8_needle),
        0,
        "copies of the PKCS#8 key remain"
    );
}

/// The APIv2 key (issue 15) likewise: after signing both ways, verifying,
/// decrypting a `req_info` and dropping the key and a client holding it,
/// no copy is left.
#[test]
fn the_apiv2_key_is_wiped_from_memory_when_dropped() {
    let _alone = alone();
    use std::collections::BTreeMap;
    use wxpay_core::v2::{notify, sign, verify, ApiV2Key, SignType, V2Client};

    let needle = {
        let mut text = wxpay_core::unstable::random_alphanumeric(32).unwrap();
        let key = ApiV2Key::new(&text).unwrap();
        let needle = masked(text.as_bytes());
        // SAFETY: overwritten with ASCII zeros, so the String stays valid UTF-8.
        unsafe { text.as_bytes_mut() }.fill(b'0');
        assert!(
            occurrences(&needle) >= 1,
            "the scan cannot see the APIv2 key"
        );

        let mut fields = BTreeMap::from([("out_trade_no".to_owned(), "T1".to_owned())]);
        for sign_type in [SignType::Md5, SignType::HmacSha256] {
            let signature = sign(&fields, &key, sign_type);
            fields.insert("sign".into(), signature);
            verify(&fields, &key).unwrap();
        }
        let req_info = wxpay_core::unstable::encrypt_req_info(&fields, &key);
        notify::decrypt_req_info(&req_info, &key).unwrap();
        let client = V2Client::builder()
            .mchid("1900000109")
            .key(key.clone())
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        client
            .call("pay/orderquery")
            .param("out_trade_no", "T1")
            .to_xml()
            .unwrap();
        drop((client, key));
        needle
    };
    assert_eq!(occurrences(&needle), 0, "copies of the APIv2 key remain");
}

/// The merchant key read from a PKCS#12 file (issue 15): once the PEM the
/// reader hands over is dropped, neither the decrypted PKCS#8 bytes nor
/// their PEM text is left, whichever encryption the file used.
#[test]
fn the_pkcs12_key_is_wiped_from_memory_when_dropped() {
    let _alone = alone();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/v2/pkcs12/");
    let (der_needle, pem_needle) = {
        let mut pem = std::fs::read_to_string(format!("{dir}key.pem")).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let mut der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .unwrap();
        let needles = (
            masked(&der[400..432]),
            masked(pem.lines().nth(10).unwrap().as_bytes()),
        );
        der.fill(0);
        // SAFETY: overwritten with ASCII zeros, so the Strings stay valid UTF-8.
        unsafe { pem.as_bytes_mut() }.fill(b'0');
        let mut body = body;
        unsafe { body.as_bytes_mut() }.fill(b'0');
        needles
    };
    for name in [
        "openssl_legacy.p12",
        "openssl_default.p12",
        "python_3des.p12",
    ] {
        let file = std::fs::read(format!("{dir}{name}")).unwrap();
        let pem = wxpay_core::unstable::pkcs12_pem(&file, "1900000100").unwrap();
        assert!(
            occurrences(&pem_needle) >= 1,
            "{name}: the scan cannot see the key's PEM"
        );
        drop(pem);
        assert_eq!(
            occurrences(&der_needle),
            0,
            "{name}: copies of the PKCS#8 key remain"
        );
        assert_eq!(
            occurrences(&pem_needle),
            0,
            "{name}: copies of the key's PEM remain"
        );
    }
}
