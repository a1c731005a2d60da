//! The merchant certificate as a PKCS#12 file: fixtures made by OpenSSL and
//! Python's `cryptography` (`tests/fixtures/v2/pkcs12/generate.py`) read
//! back to the PEM they were made from, refusals typed, and a PKCS#12
//! identity through the sandbox's mutual TLS.

use std::path::PathBuf;
use std::process::Command;

use wxpay_core::unstable::pkcs12_pem;
use wxpay_core::v2::{Pkcs12Error, V2Client, V2Error};
use wxpay_core::Error;
use wxpay_sandbox::v2::V2Sandbox;

/// The fixtures' password: WeChat's is the merchant id.
const PASSWORD: &str = "1900000100";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/v2/pkcs12")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The PEM a reader should produce: the merchant certificate, its CA, the key.
fn expected_pem() -> String {
    let text = |name| String::from_utf8(fixture(name)).unwrap();
    text("cert.pem") + &text("ca.pem") + &text("key.pem")
}

const READABLE: &[&str] = &[
    "openssl_legacy.p12",
    "openssl_3des.p12",
    "openssl_default.p12",
    "openssl_aes128.p12",
    "openssl_plain.p12",
    "python_3des.p12",
    "python_aes256.p12",
];

#[test]
fn every_fixture_reads_back_to_the_pem_it_was_made_from() {
    let expected = expected_pem();
    for name in READABLE {
        let pem = pkcs12_pem(&fixture(name), PASSWORD).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(std::str::from_utf8(&pem).unwrap(), expected, "{name}");
    }
}

#[test]
fn the_builder_takes_every_fixture_and_refuses_a_wrong_password_typed() {
    for name in READABLE {
        let builder = V2Client::builder().merchant_certificate_pkcs12(&fixture(name), PASSWORD);
        assert!(builder.is_ok(), "{name}: {:?}", builder.err());
        let err = V2Client::builder()
            .merchant_certificate_pkcs12(&fixture(name), "1900000101")
            .unwrap_err();
        assert!(
            matches!(err, Error::V2(V2Error::Pkcs12(Pkcs12Error::MacMismatch))),
            "{name}: {err:?}"
        );
        assert!(
            err.to_string().contains("wrong password"),
            "{}",
            err.to_string()
        );
        assert!(
            !err.to_string().contains("1900000101"),
            "{}",
            err.to_string()
        );
    }
}

#[test]
fn refused_files_are_typed_errors() {
    let read = |name: &str| pkcs12_pem(&fixture(name), PASSWORD).unwrap_err();
    assert_eq!(read("openssl_nomac.p12"), Pkcs12Error::NoMac);
    assert_eq!(
        read("openssl_many_iterations.p12"),
        Pkcs12Error::Iterations {
            found: 1_100_000,
            limit: 1_000_000
        }
    );
    assert!(matches!(
        pkcs12_pem(b"", PASSWORD),
        Err(Pkcs12Error::Malformed(_))
    ));
    assert!(matches!(
        pkcs12_pem(&fixture("cert.pem"), PASSWORD),
        Err(Pkcs12Error::Malformed(_))
    ));
    assert!(matches!(
        pkcs12_pem(&vec![0x30; 300 * 1024], PASSWORD),
        Err(Pkcs12Error::Limit { what: "bytes", .. })
    ));
}

#[test]
fn a_flipped_byte_anywhere_is_refused_typed() {
    for name in ["openssl_legacy.p12", "openssl_default.p12"] {
        let good = fixture(name);
        // Every byte of the outer structure and of the MAC at the end, and
        // a spread of the encrypted content between (each read costs a
        // MAC's 2048 iterations).
        let positions = (0..good.len()).filter(|&i| i < 96 || i + 96 >= good.len() || i % 29 == 0);
        for i in positions {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let err = pkcs12_pem(&bad, PASSWORD).expect_err(&format!("{name}: byte {i} flipped"));
            assert!(
                matches!(
                    err,
                    Pkcs12Error::MacMismatch
                        | Pkcs12Error::Malformed(_)
                        | Pkcs12Error::Unsupported { .. }
                        | Pkcs12Error::NoMac
                ),
                "{name}: byte {i}: {err:?}"
            );
        }
    }
}

/// The fuzz seeds (one iteration, so each read is quick): truncations and
/// flipped bytes are refused with the MAC checked, and come back (no
/// panic, no hang) when read past the MAC, through the decryption of
/// corrupted ciphertext and parameters.
#[test]
fn corrupted_files_never_panic_even_past_the_mac() {
    use wxpay_core::unstable::pkcs12_fuzz;
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/seeds/pkcs12/");
    for name in ["legacy_iter1.p12", "aes_iter1.p12"] {
        let good = std::fs::read(format!("{seeds}{name}")).unwrap();
        assert!(pkcs12_pem(&good, PASSWORD).is_ok(), "{name}");
        // Every length through the outer headers, then a spread.
        for len in (0..good.len()).filter(|&n| n < 128 || n % 11 == 0) {
            pkcs12_fuzz(&good[..len], PASSWORD);
            assert!(
                pkcs12_pem(&good[..len], PASSWORD).is_err(),
                "{name}: {len} bytes"
            );
        }
        // Every byte of the headers and the MAC, every third between
        // (decrypting each costs a few milliseconds in a debug build).
        for i in (0..good.len()).filter(|&i| i < 200 || i + 100 >= good.len() || i % 3 == 0) {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            pkcs12_fuzz(&bad, PASSWORD);
            assert!(
                pkcs12_pem(&bad, PASSWORD).is_err(),
                "{name}: byte {i} flipped"
            );
        }
    }
}

/// `openssl pkcs12 -export` of the sandbox merchant's PEM certificate and key.
fn export_with_openssl(sandbox: &V2Sandbox, options: &[&str]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!(
        "wxpay-pkcs12-{}-{}",
        std::process::id(),
        options.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let out = dir.join("merchant.p12");
    std::fs::write(&cert, sandbox.merchant_certificate_pem()).unwrap();
    std::fs::write(&key, sandbox.merchant_key_pem()).unwrap();
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-in"])
        .arg(&cert)
        .arg("-inkey")
        .arg(&key)
        .arg("-out")
        .arg(&out)
        .arg("-passout")
        .arg(format!("pass:{}", sandbox.mchid()))
        .args(options)
        .status()
        .expect("the openssl CLI (OpenSSL 3) makes the PKCS#12 file");
    assert!(status.success(), "openssl pkcs12 -export {options:?}");
    let der = std::fs::read(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    der
}

#[tokio::test]
async fn a_pkcs12_identity_gets_through_the_sandbox_mutual_tls() {
    let sandbox = V2Sandbox::start().await.unwrap();
    for options in [
        &[
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ][..],
        &[][..],
    ] {
        let der = export_with_openssl(&sandbox, options);
        let client = sandbox
            .client_builder_without_certificate()
            .unwrap()
            .merchant_certificate_pkcs12(&der, sandbox.mchid())
            .unwrap()
            .build()
            .unwrap();
        let no = format!("P12-{}", options.len());
        super::roundtrip::micropay(&client, &no, 100).await.unwrap();
        // A certificate operation: refused without mutual TLS.
        let refund = client
            .call("secapi/pay/refund")
            .param("appid", super::roundtrip::APPID)
            .param("out_trade_no", &no)
            .param("out_refund_no", format!("R-{no}"))
            .param("total_fee", "100")
            .param("refund_fee", "40")
            .send()
            .await
            .unwrap();
        assert_eq!(refund.get("refund_fee"), Some("40"), "{options:?}");
    }
}
