//! Managed platform certificates against the sandbox: the first download
//! vouches for itself, later ones only through trusted certificates; public-key
//! merchants, mixed mode, expired certificates, wrong APIv3 keys, and separate
//! keyrings per merchant.

use std::time::{Duration, SystemTime};

use wxpay_core::{ApiV3Key, Client, CryptoError, Error, Keyring, RefreshOutcome, VerifyError};
use wxpay_sandbox::{KeyMode, Sandbox};

use crate::support::*;

/// A client for the sandbox's demo merchant that trusts only `keyring`.
fn bare_client(sandbox: &Sandbox, keyring: Keyring) -> wxpay_core::ClientBuilder {
    let m = sandbox.merchant();
    Client::builder()
        .mchid(m.mchid.clone())
        .merchant_serial(m.serial_no.clone())
        .private_key(m.private_key.clone())
        .base_url(sandbox.base_url())
        .keyring(keyring)
}

fn apiv3(sandbox: &Sandbox) -> ApiV3Key {
    ApiV3Key::new(&sandbox.merchant().apiv3_key).unwrap()
}

#[tokio::test]
async fn first_download_bootstraps_then_requests_verify() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = bare_client(&sandbox, Keyring::new()).build().unwrap();
    // Nothing trusted yet: an ordinary call cannot be verified.
    let err = get(&client, "v3/nothing-here", &[]).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::UnknownSerial(_),
                ..
            }
        ),
        "{err:?}"
    );

    let outcome = client.refresh_certificates(&apiv3(&sandbox)).await.unwrap();
    let serial = sandbox.platform_serial().to_owned();
    assert_eq!(
        outcome,
        RefreshOutcome::Certificates {
            current: vec![serial.clone()],
            added: vec![serial.clone()],
            removed: vec![]
        }
    );
    assert_eq!(client.keyring().serials(), vec![serial.clone()]);
    // Verified answers now (a signed 404 for an unknown path).
    let err = get(&client, "v3/nothing-here", &[]).await.unwrap_err();
    assert!(
        err.as_api()
            .is_some_and(|e| e.signature_verified && e.code == "NOT_FOUND"),
        "{err:?}"
    );
    // A second refresh verifies through the trusted certificate and adds nothing.
    let again = client.refresh_certificates(&apiv3(&sandbox)).await.unwrap();
    assert!(matches!(again, RefreshOutcome::Certificates { ref added, .. } if added.is_empty()));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn auto_certificates_download_before_the_first_request() {
    let sandbox = start(KeyMode::Certificate).await;
    let client = Client::builder()
        .mchid(sandbox.merchant().mchid.clone())
        .merchant_serial(sandbox.merchant().serial_no.clone())
        .private_key(sandbox.merchant().private_key.clone())
        .base_url(sandbox.base_url())
        .auto_certificates(apiv3(&sandbox))
        .build()
        .unwrap();
    let created = post(&client, AFTER_SALES, &after_sales("4200000001", 10))
        .await
        .unwrap();
    assert_eq!(created["amount"], 10);
    assert_eq!(
        client.keyring().serials(),
        vec![sandbox.platform_serial().to_owned()]
    );
    assert_eq!(client.last_certificate_refresh_error(), None);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_download_signed_by_an_untrusted_certificate_is_refused_once_certificates_are_trusted() {
    let ours = start(KeyMode::Certificate).await;
    let other = start(KeyMode::Certificate).await;
    // We trust `other`'s certificate; `ours` signs with a certificate we do not know.
    let keyring = Keyring::new();
    keyring.add_certificate(other.platform_certificate().unwrap());
    let client = bare_client(&ours, keyring.clone()).build().unwrap();
    let err = client
        .refresh_certificates(&apiv3(&ours))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification { reason: VerifyError::UnknownSerial(ref s), .. } if *s == ours.platform_serial()),
        "{err:?}"
    );
    // The keyring is untouched.
    assert_eq!(keyring.serials(), vec![other.platform_serial().to_owned()]);
    ours.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn public_key_merchants_and_mixed_mode() {
    let sandbox = start(KeyMode::PublicKey).await;
    // With the public key configured, the 404 RESOURCE_NOT_EXISTS is no error.
    let client = sandbox.client_builder().build().unwrap();
    assert_eq!(
        client.refresh_certificates(&apiv3(&sandbox)).await.unwrap(),
        RefreshOutcome::PublicKeyMode
    );
    // Without it, the refresh reports why and keeps nothing.
    let bare = bare_client(&sandbox, Keyring::new())
        .auto_certificates(apiv3(&sandbox))
        .build()
        .unwrap();
    let err = get(&bare, "v3/nothing-here", &[]).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::UnknownSerial(_),
                ..
            }
        ),
        "{err:?}"
    );
    // The 404 is signed with the public key this client does not hold, so
    // even WeChat's "no certificates here" cannot be taken on trust.
    let why = bare
        .last_certificate_refresh_error()
        .expect("the failed refresh is reported");
    assert!(
        why.contains("unknown Wechatpay-Serial") && why.contains(&sandbox.platform_serial()),
        "{why}"
    );
    sandbox.shutdown().await;

    // Mixed: a public key already trusted, certificates downloaded beside it.
    let certs = start(KeyMode::Certificate).await;
    let keyring = Keyring::new();
    let stranger = wxpay_core::unstable::generate_private_key().unwrap();
    keyring
        .add_public_key(
            "PUB_KEY_ID_0100000000000000000000000042",
            stranger.public_key().clone(),
        )
        .unwrap();
    let client = bare_client(&certs, keyring.clone()).build().unwrap();
    client.refresh_certificates(&apiv3(&certs)).await.unwrap();
    assert_eq!(
        keyring.serials(),
        vec![
            certs.platform_serial().to_owned(),
            "PUB_KEY_ID_0100000000000000000000000042".to_owned()
        ]
    );
    certs.shutdown().await;
}

#[tokio::test]
async fn expired_certificates_and_wrong_apiv3_keys_are_refused_and_keep_old_keys() {
    let day = Duration::from_secs(86_400);
    let expired = Sandbox::builder()
        .key_mode(KeyMode::Certificate)
        .platform_certificate_validity(SystemTime::now() - 30 * day, SystemTime::now() - day)
        .start()
        .await
        .unwrap();
    let client = bare_client(&expired, Keyring::new()).build().unwrap();
    let err = client
        .refresh_certificates(&apiv3(&expired))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::KeyNotValidNow(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(client.keyring().is_empty());
    expired.shutdown().await;

    let sandbox = start(KeyMode::Certificate).await;
    let client = sandbox.client_builder().build().unwrap();
    let before = client.keyring().serials();
    let wrong = ApiV3Key::new("fedcba9876543210fedcba9876543210").unwrap();
    let err = client.refresh_certificates(&wrong).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Crypto {
                reason: CryptoError::AeadAuthentication,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(client.keyring().serials(), before);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn two_merchants_in_one_process_keep_separate_keyrings() {
    let a = start(KeyMode::Certificate).await;
    let b = start(KeyMode::Certificate).await;
    let client_a = bare_client(&a, Keyring::new()).build().unwrap();
    let client_b = bare_client(&b, Keyring::new()).build().unwrap();
    client_a.refresh_certificates(&apiv3(&a)).await.unwrap();
    client_b.refresh_certificates(&apiv3(&b)).await.unwrap();
    assert_eq!(
        client_a.keyring().serials(),
        vec![a.platform_serial().to_owned()]
    );
    assert_eq!(
        client_b.keyring().serials(),
        vec![b.platform_serial().to_owned()]
    );
    // A's client does not accept B's answers.
    let crossed = bare_client(&b, client_a.keyring().clone()).build().unwrap();
    let err = get(&crossed, "v3/nothing-here", &[]).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::UnknownSerial(_),
                ..
            }
        ),
        "{err:?}"
    );
    a.shutdown().await;
    b.shutdown().await;
}
