//! Just enough PEM (RFC 7468) for keys and certificates: tolerant of text
//! around the block (e.g. OpenSSL's `Bag Attributes`) and of CRLF line ends.

use base64::Engine;
use zeroize::Zeroizing;

pub(crate) struct Block {
    pub(crate) label: String,
    /// Wiped when dropped: the block may be a private key.
    pub(crate) der: Zeroizing<Vec<u8>>,
    /// Legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED`) inside the block.
    pub(crate) encrypted_header: bool,
}

/// Every PEM block in `input`, in order. A block whose base64 is broken
/// yields an error naming its label.
pub(crate) fn blocks(input: &str) -> Vec<Result<Block, String>> {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            out.push(Err("unterminated BEGIN line".to_string()));
            break;
        };
        let label = after[..label_end].trim().to_string();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_start.find(&end_marker) else {
            out.push(Err(format!("no `{end_marker}` line")));
            break;
        };
        let body = &body_start[..end];
        rest = &body_start[end + end_marker.len()..];
        let mut encrypted_header = false;
        let mut b64 = Zeroizing::new(String::with_capacity(body.len()));
        for line in body.lines() {
            if line.contains(':') {
                encrypted_header |= line.contains("ENCRYPTED");
                continue;
            }
            b64.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
        }
        out.push(
            base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map(|der| Block {
                    label: label.clone(),
                    der: Zeroizing::new(der),
                    encrypted_header,
                })
                .map_err(|e| format!("bad base64 in `{label}` block: {e}")),
        );
    }
    out
}

/// Encodes DER as a PEM block with 64-column lines.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}
