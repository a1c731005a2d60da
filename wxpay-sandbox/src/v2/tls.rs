//! The APIv2 listener: TLS with an optional client certificate (mutual TLS),
//! trusting only the demo merchant's API certificate, and the certificates it
//! needs (a server certificate for 127.0.0.1/localhost, the merchant's).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;
use wxpay_core::{Certificate, PrivateKey};
use x509_cert::der::asn1::{Ia5String, OctetString};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::Encode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::Extension;

use super::ops::State;
use crate::certgen::{self_signed, self_signed_with};
use crate::error::SandboxError;

const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const VALIDITY: Duration = Duration::from_secs(365 * 86_400);
const MAX_CONNECTIONS: usize = 256;
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A key with its self-signed certificate.
pub(crate) struct Identity {
    pub(crate) key: PrivateKey,
    pub(crate) certificate: Certificate,
}

/// The server's identity, valid for `127.0.0.1`, `::1` and `localhost`.
pub(crate) fn server_identity() -> Result<Identity, SandboxError> {
    let key = wxpay_core::unstable::generate_private_key()?;
    let san = SubjectAltName(vec![
        GeneralName::IpAddress(OctetString::new(vec![127, 0, 0, 1])?),
        GeneralName::IpAddress(OctetString::new(
            std::net::Ipv6Addr::LOCALHOST.octets().to_vec(),
        )?),
        GeneralName::DnsName(Ia5String::new("localhost")?),
    ]);
    let extension = Extension {
        extn_id: SUBJECT_ALT_NAME,
        critical: false,
        extn_value: OctetString::new(san.to_der()?)?,
    };
    let now = SystemTime::now();
    let certificate = self_signed_with(
        "CN=wxpay sandbox APIv2,O=wxpay sandbox",
        &key,
        now - Duration::from_secs(3600),
        now + VALIDITY,
        Some(vec![extension]),
    )?;
    Ok(Identity { key, certificate })
}

/// The demo merchant's API certificate (apiclient_cert.pem) and key.
pub(crate) fn merchant_identity(mchid: &str) -> Result<Identity, SandboxError> {
    let key = wxpay_core::unstable::generate_private_key()?;
    let now = SystemTime::now();
    let certificate = self_signed(
        &format!("CN={mchid},OU=wxpay sandbox merchant,O=wxpay sandbox"),
        &key,
        now - Duration::from_secs(3600),
        now + VALIDITY,
    )?;
    Ok(Identity { key, certificate })
}

/// Server TLS: the server identity; a client certificate is asked for,
/// optional, and must be the merchant's when given.
pub(crate) fn server_config(
    server: &Identity,
    merchant: &Certificate,
) -> Result<Arc<ServerConfig>, SandboxError> {
    let tls = |e: &dyn std::fmt::Display| SandboxError::Config(format!("TLS: {e}"));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(merchant.to_der().to_vec()))
        .map_err(|e| tls(&e))?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(|e| tls(&e))?;
    let key =
        PrivateKeyDer::from_pem_slice(server.key.to_pkcs8_pem().as_bytes()).map_err(|e| tls(&e))?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(&e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(server.certificate.to_der().to_vec())],
            key,
        )
        .map_err(|e| tls(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts TLS connections until `stop` turns true; each request is told
/// whether its connection presented the (verified) merchant certificate.
pub(crate) async fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    state: Arc<State>,
    mut stop: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(config);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            _ = stop.changed() => return,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let (stream, _) = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
        };
        let (acceptor, state) = (acceptor.clone(), state.clone());
        tokio::spawn(async move {
            let _permit = permit;
            // A failed handshake (e.g. a certificate that is not the merchant's) ends here.
            let Ok(Ok(tls)) = tokio::time::timeout(IDLE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            let client_certificate = tls
                .get_ref()
                .1
                .peer_certificates()
                .is_some_and(|c| !c.is_empty());
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move {
                    Ok::<_, Infallible>(
                        super::ops::handle(&state, client_certificate, request).await,
                    )
                }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(IDLE_TIMEOUT)
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}
