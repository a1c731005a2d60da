//! Many merchants in one process: a `MerchantRegistry` over the directory
//! the sandbox writes for the merchants it made (each with its own WeChat
//! Pay key), one notify endpoint routed by `Wechatpay-Serial`, the
//! per-merchant URL as the fallback, partner mode through the same API.

use serde_json::json;
use wxpay_core::notify::{Handled, Notification};
use wxpay_core::registry::{DirectorySource, MerchantError, MerchantRegistry};
use wxpay_core::Error;
use wxpay_sandbox::{KeyMode, NewMerchant, Sandbox, MERCHANTS_DIR};

const DIRECT: &str = "1900700001";
const PUBLIC_KEY: &str = "1900700002";
const PROVIDER: &str = "1900700003";
const SUB: &str = "1900700013";

async fn fleet() -> (Sandbox, MerchantRegistry, tempdir::Dir) {
    let sandbox = Sandbox::builder()
        .add_merchant(NewMerchant::new(DIRECT))
        .add_merchant(NewMerchant::new(PUBLIC_KEY).key_mode(KeyMode::PublicKey))
        .add_merchant(NewMerchant::new(PROVIDER).sub_merchant(SUB))
        .start()
        .await
        .unwrap();
    let dir = tempdir::Dir::new("registry");
    sandbox.write_dir(dir.path()).unwrap();
    let registry = MerchantRegistry::builder(DirectorySource::new(dir.path().join(MERCHANTS_DIR)))
        .base_url(sandbox.base_url())
        // An unknown serial forces a download at most once per interval (60 s
        // at most): short here, where the rotation follows the first download.
        .certificate_refresh_interval(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    (sandbox, registry, dir)
}

/// Handles a notification through the one endpoint; who got it, and what.
async fn deliver(
    registry: &MerchantRegistry,
    route: Option<&str>,
    (headers, body): (http::HeaderMap, Vec<u8>),
) -> (Handled, Option<(String, String)>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let record = seen.clone();
    let handler = move |mchid: String, n: Notification| async move {
        let no = n.resource["out_trade_no"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *record.lock().unwrap() = Some((mchid, no));
        Ok::<(), String>(())
    };
    let handled = match route {
        None => registry.handle(&headers, &body, handler).await,
        Some(mchid) => registry.handle_for(mchid, &headers, &body, handler).await,
    };
    let seen = seen.lock().unwrap().clone();
    (handled, seen)
}

fn paid(sandbox: &Sandbox, mchid: &str, no: &str) -> (http::HeaderMap, Vec<u8>) {
    sandbox
        .notification_for(
            mchid,
            "TRANSACTION.SUCCESS",
            "transaction",
            &json!({ "out_trade_no": no }),
        )
        .unwrap()
}

#[tokio::test]
async fn one_endpoint_routes_each_merchant_by_the_serial_of_its_own_key() {
    let (sandbox, registry, _dir) = fleet().await;
    registry
        .preload([DIRECT, PUBLIC_KEY, PROVIDER])
        .await
        .unwrap();
    assert_eq!(registry.loaded(), vec![DIRECT, PUBLIC_KEY, PROVIDER]);
    let serials: Vec<String> = [DIRECT, PUBLIC_KEY, PROVIDER]
        .iter()
        .map(|m| sandbox.platform_of(m).unwrap().serial)
        .collect();
    assert!(serials[1].starts_with("PUB_KEY_ID_"), "{serials:?}");
    assert_eq!(
        serials
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        3,
        "a key per merchant"
    );
    for mchid in [DIRECT, PUBLIC_KEY, PROVIDER] {
        let (handled, seen) = deliver(
            &registry,
            None,
            paid(&sandbox, mchid, &format!("T-{mchid}")),
        )
        .await;
        assert!(
            matches!(handled, Handled::Processed),
            "{mchid}: {handled:?}"
        );
        assert_eq!(seen, Some((mchid.to_owned(), format!("T-{mchid}"))));
    }
    // Partner mode: the sub-merchant is served by its provider's client and URL.
    assert_eq!(registry.client(SUB).await.unwrap().mchid(), PROVIDER);
    let (handled, seen) = deliver(&registry, Some(SUB), paid(&sandbox, PROVIDER, "T-SUB")).await;
    assert!(matches!(handled, Handled::Processed), "{handled:?}");
    assert_eq!(seen.unwrap().0, PROVIDER);
    // Another merchant's notification at a merchant's URL does not verify.
    let (handled, seen) = deliver(&registry, Some(DIRECT), paid(&sandbox, PUBLIC_KEY, "T-X")).await;
    assert!(
        matches!(handled, Handled::Refused(Error::Verification { .. })),
        "{handled:?}"
    );
    assert_eq!(seen, None);
}

#[tokio::test]
async fn a_rotation_the_registry_has_not_seen_routes_by_url_then_by_serial() {
    let (sandbox, registry, _dir) = fleet().await;
    registry.preload([DIRECT]).await.unwrap();
    let rotated = sandbox.rotate_platform_certificate_of(DIRECT).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    let (handled, _) = deliver(&registry, None, paid(&sandbox, DIRECT, "T-ROT-1")).await;
    match &handled {
        Handled::Refused(Error::Merchant(MerchantError::UnroutedSerial(serial))) => {
            assert_eq!(serial, &rotated)
        }
        other => panic!("expected an unrouted serial, got {other:?}"),
    }
    assert_eq!(
        handled.response().status(),
        400,
        "FAIL: WeChat Pay delivers it again"
    );
    // The merchant's URL refreshes its certificates, as any client does.
    let (handled, _) = deliver(&registry, Some(DIRECT), paid(&sandbox, DIRECT, "T-ROT-1")).await;
    assert!(matches!(handled, Handled::Processed), "{handled:?}");
    let (handled, seen) = deliver(&registry, None, paid(&sandbox, DIRECT, "T-ROT-2")).await;
    assert!(matches!(handled, Handled::Processed), "{handled:?}");
    assert_eq!(seen.unwrap().0, DIRECT);
}

#[tokio::test]
async fn unknown_and_malformed_merchants_are_refused_and_not_remembered() {
    let (_sandbox, registry, _dir) = fleet().await;
    for bad in ["../etc", "", "190070000119007000011900700001190"] {
        let e = registry.client(bad).await.unwrap_err();
        assert!(
            matches!(e, Error::Merchant(MerchantError::InvalidMchid(_))),
            "{bad:?}: {e}"
        );
    }
    let e = registry.client("1999999999").await.unwrap_err();
    assert!(
        matches!(e, Error::Merchant(MerchantError::Unknown(_))),
        "{e}"
    );
    assert!(e.to_string().contains("1999999999"), "{e}");
    assert!(registry.loaded().is_empty());
}

/// A directory removed when dropped.
mod tempdir {
    pub struct Dir(std::path::PathBuf);

    impl Dir {
        pub fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "wxpay-{name}-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ));
            Self(path)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
