//! The request side of APIv3 as WeChat Pay checks it (PROTOCOL.md,
//! "Requests"): the `Authorization` header, the five-line message its
//! signature covers, and the 300 s window.

/// The scheme of `Authorization` (and the value of `Wechatpay-Signature-Type`).
pub(crate) const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// How far a request's timestamp may be from the server's clock, either way.
pub(crate) const WINDOW_SECS: i64 = 300;

/// The parameters of `Authorization: WECHATPAY2-SHA256-RSA2048 k="v",...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub(crate) mchid: String,
    pub(crate) nonce_str: String,
    pub(crate) timestamp: String,
    pub(crate) serial_no: String,
    pub(crate) signature: String,
}

impl Authorization {
    /// Parses the header value: the scheme, one space or more, then the five
    /// `key="value"` parameters separated by commas, in any order, each once.
    /// Unknown parameters are refused (a typo must not pass unnoticed).
    pub(crate) fn parse(header: &str) -> Result<Self, String> {
        let header = header.trim();
        let rest = header
            .strip_prefix(SCHEME)
            .filter(|rest| rest.starts_with(' '))
            .ok_or_else(|| format!("it must start with `{SCHEME} `"))?;
        let mut fields: [(&str, Option<String>); 5] = [
            ("mchid", None),
            ("nonce_str", None),
            ("timestamp", None),
            ("serial_no", None),
            ("signature", None),
        ];
        for pair in rest.trim().split(',') {
            let pair = pair.trim();
            let (key, quoted) = pair
                .split_once('=')
                .ok_or_else(|| format!("parameter {pair:?} is not key=\"value\""))?;
            let value = quoted
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|v| !v.contains('"'))
                .ok_or_else(|| format!("the value of `{key}` must be in double quotes"))?;
            let slot = fields
                .iter_mut()
                .find(|(name, _)| *name == key)
                .ok_or_else(|| format!("unknown parameter `{key}`"))?;
            if slot.1.replace(value.to_owned()).is_some() {
                return Err(format!("parameter `{key}` appears twice"));
            }
        }
        let [mchid, nonce_str, timestamp, serial_no, signature] = fields.map(|(name, value)| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("parameter `{name}` is missing"))
        });
        Ok(Self {
            mchid: mchid?,
            nonce_str: nonce_str?,
            timestamp: timestamp?,
            serial_no: serial_no?,
            signature: signature?,
        })
    }
}

/// `METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n`: what the request signature
/// covers, TARGET being the path and `?query` exactly as received and BODY
/// the exact bytes received (for an upload, the `meta` part).
pub(crate) fn signed_message(
    method: &str,
    target: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut message = Vec::with_capacity(
        method.len() + target.len() + timestamp.len() + nonce.len() + body.len() + 5,
    );
    for line in [
        method.as_bytes(),
        target.as_bytes(),
        timestamp.as_bytes(),
        nonce.as_bytes(),
        body,
    ] {
        message.extend_from_slice(line);
        message.push(b'\n');
    }
    message
}

/// Whether a timestamp is within the window of `now`.
pub(crate) fn in_window(timestamp: i64, now: i64) -> bool {
    timestamp.abs_diff(now) <= WINDOW_SECS.unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="uOVRnA==",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C""#;

    #[test]
    fn parses_the_documented_header_in_any_order() {
        let auth = Authorization::parse(HEADER).unwrap();
        assert_eq!(auth.mchid, "1900009191");
        assert_eq!(auth.nonce_str, "593BEC0C930BF1AFEB40B4A08C8FB242");
        assert_eq!(auth.timestamp, "1554208460");
        assert_eq!(auth.serial_no, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");
        assert_eq!(auth.signature, "uOVRnA==");
        let spaced = HEADER.replace(',', ", ");
        assert_eq!(Authorization::parse(&spaced).unwrap(), auth);
    }

    #[test]
    fn refuses_what_is_not_the_scheme_or_not_complete() {
        for (header, needle) in [
            ("Bearer x", "must start with"),
            (&HEADER.replace("RSA2048 ", "RSA2048"), "must start with"),
            (
                &HEADER.replace(r#",timestamp="1554208460""#, ""),
                "`timestamp` is missing",
            ),
            (
                &HEADER.replace("mchid=\"1900009191\"", "mchid=1900009191"),
                "double quotes",
            ),
            (&format!(r#"{HEADER},mchid="1""#), "appears twice"),
            (
                &format!(r#"{HEADER},extra="1""#),
                "unknown parameter `extra`",
            ),
            (
                &HEADER.replace("mchid=\"1900009191\"", "mchid=\"\""),
                "`mchid` is missing",
            ),
        ] {
            let e = Authorization::parse(header).unwrap_err();
            assert!(e.contains(needle), "{header}: {e}");
        }
    }

    #[test]
    fn the_message_is_five_lines_each_ending_in_a_newline() {
        let m = signed_message("GET", "/v3/certificates?a=1", "1554208460", "N", b"");
        assert_eq!(m, b"GET\n/v3/certificates?a=1\n1554208460\nN\n\n");
        let m = signed_message("POST", "/v3/x", "1", "N", b"{\"a\":1}");
        assert_eq!(m, b"POST\n/v3/x\n1\nN\n{\"a\":1}\n");
    }

    #[test]
    fn the_window_is_300_seconds_each_way() {
        assert!(in_window(1000, 1300) && in_window(1300, 1000));
        assert!(!in_window(1000, 1301) && !in_window(1301, 1000));
        assert!(!in_window(i64::MIN, i64::MAX));
    }
}
