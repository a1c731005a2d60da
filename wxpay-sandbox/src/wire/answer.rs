//! The answer side of APIv3 as WeChat Pay does it (PROTOCOL.md, "Responses"):
//! the message an answer signature covers, the headers that carry it, and
//! which answers WeChat Pay does not sign at all.

/// `Wechatpay-Timestamp`: unix seconds of the signature.
pub(crate) const TIMESTAMP: &str = "Wechatpay-Timestamp";
/// `Wechatpay-Nonce`: the signature's random string.
pub(crate) const NONCE: &str = "Wechatpay-Nonce";
/// `Wechatpay-Signature`: base64 RSASSA-PKCS1-v1_5 / SHA-256.
pub(crate) const SIGNATURE: &str = "Wechatpay-Signature";
/// `Wechatpay-Serial`: the platform certificate serial or `PUB_KEY_ID_...`.
pub(crate) const SERIAL: &str = "Wechatpay-Serial";
/// `Wechatpay-Signature-Type`: always [`SCHEME`](super::request::SCHEME).
pub(crate) const SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
/// The statement answers' SHA-1, which their signature covers instead of the body.
pub(crate) const STATEMENT_SHA1: &str = "Wechatpay-Statement-Sha1";

/// What an answer's signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signing {
    /// The body as sent: every answer but those below, errors included.
    Body,
    /// Nothing: a file WeChat Pay sends without `Wechatpay-*` headers.
    Unsigned,
    /// `{"sha1":"<Wechatpay-Statement-Sha1>"}`: the overseas statements.
    StatementSha1,
}

/// The files WeChat Pay answers unsigned (PROTOCOL.md): the bill file, the
/// transfer receipts, and images (by `media_id`, the domestic and the
/// global path, never `upload`). E-invoice files are fetched from the
/// `download_url` an answer gives, outside the API the sandbox serves.
const UNSIGNED_FILES: [&str; 3] = [
    "v3/billdownload/file",
    "v3/transferdownload/signfile",
    "v3/transferdownload/elecvoucherfile",
];
const IMAGE_PREFIXES: [&str; 2] = [
    "v3/merchant-service/images/",
    "v3/global/merchant-service/images/",
];
const STATEMENTS: [&str; 2] = ["v3/global/statements", "hk/v3/statements"];

/// How a successful (200) answer to a request for `path` is signed; every
/// other answer (errors, 204s) is signed over its body. `path` is the
/// request's path without the query, with or without the leading `/`.
pub(crate) fn signing(path: &str) -> Signing {
    let path = path.strip_prefix('/').unwrap_or(path);
    if UNSIGNED_FILES.contains(&path) {
        return Signing::Unsigned;
    }
    if STATEMENTS.contains(&path) {
        return Signing::StatementSha1;
    }
    let image = IMAGE_PREFIXES
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix));
    match image {
        Some(media_id)
            if !media_id.is_empty() && !media_id.contains('/') && media_id != "upload" =>
        {
            Signing::Unsigned
        }
        _ => Signing::Body,
    }
}

/// `TIMESTAMP\nNONCE\nBODY\n`: what an answer (or notification) signature covers.
pub(crate) fn signed_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for line in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        message.extend_from_slice(line);
        message.push(b'\n');
    }
    message
}

/// The body a statement's signature covers, given its SHA-1 (hex).
pub(crate) fn statement_signed_body(sha1: &str) -> Vec<u8> {
    serde_json::json!({ "sha1": sha1 }).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_unsigned_and_statements_signed_over_their_sha1() {
        use Signing::*;
        for (path, expected) in [
            ("/v3/billdownload/file", Unsigned),
            ("v3/transferdownload/signfile", Unsigned),
            ("v3/transferdownload/elecvoucherfile", Unsigned),
            ("v3/merchant-service/images/ChsyMjAyMzA", Unsigned),
            ("v3/global/merchant-service/images/abc", Unsigned),
            ("v3/merchant-service/images/upload", Body),
            ("v3/merchant-service/images/", Body),
            ("v3/merchant-service/images/a/b", Body),
            ("v3/billdownload/file/extra", Body),
            ("v3/global/statements", StatementSha1),
            ("hk/v3/statements", StatementSha1),
            ("v3/bill/tradebill", Body),
            ("v3/pay/transactions/jsapi", Body),
        ] {
            assert_eq!(signing(path), expected, "{path}");
        }
    }

    #[test]
    fn the_answer_message_is_three_lines() {
        assert_eq!(signed_message("1", "N", b"{}"), b"1\nN\n{}\n");
        assert_eq!(statement_signed_body("ab"), br#"{"sha1":"ab"}"#);
    }
}
