//! Where a request goes: the configured base URL plus a checked path and
//! query, never a caller's string joined onto it.
//!
//! The path is checked byte by byte before it is appended to the base, and
//! the URL the parser makes of the two is compared with what was checked: if
//! the parser would change the path (dot segments, `%2e%2e`, backslashes,
//! stripped tabs) or the host, the request is refused instead of sent. So
//! the route that is signed is the route that is sent.

use crate::error::Error;

/// A request's destination, checked.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The full URL sent.
    pub(crate) url: reqwest::Url,
    /// The request target that is signed: path and `?query`, as sent.
    pub(crate) signed: String,
}

impl Target {
    /// `base` (ending in `/`) plus `path` (relative, e.g. `v3/pay/...`) and an
    /// already encoded `query`.
    pub(crate) fn new(base: &reqwest::Url, path: &str, query: &str) -> Result<Self, Error> {
        check_path(path)?;
        check_query(query)?;
        let mut text = String::with_capacity(base.as_str().len() + path.len() + query.len() + 1);
        text.push_str(base.as_str());
        text.push_str(path);
        if !query.is_empty() {
            text.push('?');
            text.push_str(query);
        }
        let url = reqwest::Url::parse(&text)
            .map_err(|e| invalid(format!("cannot build a URL from path {path:?}: {e}")))?;
        let expected_path = format!("{}{path}", base.path());
        if url.path() != expected_path
            || url.scheme() != base.scheme()
            || url.host_str() != base.host_str()
            || url.port_or_known_default() != base.port_or_known_default()
            || url.fragment().is_some()
        {
            return Err(invalid(format!(
                "path {path:?} would not be sent as written (it resolves to {:?})",
                url.path()
            )));
        }
        let signed = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        Ok(Self { url, signed })
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidRequest(message)
}

/// Characters a path segment may hold as they are (RFC 3986 `pchar` without `%`).
fn is_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

/// A relative path of non-empty segments (a trailing `/` allowed) of `pchar`s and `%XX` escapes, none
/// of which is `.` or `..` (also when written `%2e`).
pub(crate) fn check_path(path: &str) -> Result<(), Error> {
    if path.is_empty() {
        return Err(invalid("the request path is empty".into()));
    }
    // A trailing `/` is part of some routes (`v3/applyment4sub/applyment/`).
    let segments = path.strip_suffix('/').unwrap_or(path);
    for segment in segments.split('/') {
        if segment.is_empty() {
            return Err(invalid(format!(
                "path {path:?} has an empty segment (a leading `/` or `//`)"
            )));
        }
        let bytes = segment.as_bytes();
        let mut i = 0;
        let mut dots = 0;
        let mut len = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                let Some(hex) = hex else {
                    return Err(invalid(format!("path {path:?} has a broken `%` escape")));
                };
                if hex.eq_ignore_ascii_case(b"2e") {
                    dots += 1;
                }
                i += 3;
            } else if is_path_char(b) {
                if b == b'.' {
                    dots += 1;
                }
                i += 1;
            } else {
                return Err(invalid(format!(
                    "path {path:?} contains {:?}, which must be percent-encoded",
                    char::from(b)
                )));
            }
            len += 1;
        }
        if dots == len && len <= 2 {
            return Err(invalid(format!(
                "path {path:?} has a `.` or `..` segment, which would change the route"
            )));
        }
    }
    Ok(())
}

/// An encoded query: visible ASCII, no `#`.
fn check_query(query: &str) -> Result<(), Error> {
    match query
        .bytes()
        .find(|&b| !b.is_ascii_graphic() || b == b'#' || b == b'\\')
    {
        None => Ok(()),
        Some(b) => Err(invalid(format!(
            "query contains {:?}, which must be percent-encoded",
            char::from(b)
        ))),
    }
}

/// Splits a download URL (absolute `http(s)://host/path?query`, or a path)
/// into a relative path and a query. The host is not used: the request goes
/// to the client's base URL. Anything that is not plainly one of those forms
/// (scheme-relative `//host`, backslashes, user info, a fragment, spaces) is
/// refused rather than guessed at.
pub(crate) fn split_download_url(url: &str) -> Result<(String, String), Error> {
    let refuse = |why: &str| invalid(format!("download URL {url:?} {why}"));
    if let Some(b) = url.bytes().find(|&b| !b.is_ascii_graphic() || b == b'\\') {
        return Err(refuse(&format!("contains {:?}", char::from(b))));
    }
    let after_authority = if let Some(rest) = url.strip_prefix('/') {
        if rest.starts_with('/') {
            return Err(refuse("names a host without a scheme"));
        }
        url
    } else if let Some((scheme, rest)) = split_scheme(url) {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(refuse("is not http(s)"));
        }
        let rest = rest
            .strip_prefix("//")
            .ok_or_else(|| refuse("has a scheme but no `//host`"))?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        if authority.is_empty() || authority.contains('@') {
            return Err(refuse("has no plain host"));
        }
        &rest[end..]
    } else {
        url
    };
    if after_authority.contains('#') {
        return Err(refuse("has a fragment"));
    }
    let (path, query) = after_authority
        .split_once('?')
        .unwrap_or((after_authority, ""));
    let path = path.strip_prefix('/').unwrap_or(path);
    check_path(path).map_err(|_| refuse("has no usable path"))?;
    Ok((path.to_owned(), query.to_owned()))
}

/// `scheme:rest` when `url` starts with an RFC 3986 scheme.
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic() && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)))
        .then_some((scheme, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> reqwest::Url {
        reqwest::Url::parse("https://api.mch.weixin.qq.com/").unwrap()
    }

    #[test]
    fn targets_are_signed_as_sent() {
        let t = Target::new(&base(), "v3/pay/transactions/id/42%2F1", "mchid=1&a=%20").unwrap();
        assert_eq!(t.signed, "/v3/pay/transactions/id/42%2F1?mchid=1&a=%20");
        assert_eq!(
            t.url.as_str(),
            "https://api.mch.weixin.qq.com/v3/pay/transactions/id/42%2F1?mchid=1&a=%20"
        );
        let prefixed = reqwest::Url::parse("http://127.0.0.1:8080/wechat/").unwrap();
        let t = Target::new(&prefixed, "v3/billdownload/file", "token=t").unwrap();
        assert_eq!(t.signed, "/wechat/v3/billdownload/file?token=t");
    }

    #[test]
    fn paths_that_would_change_on_the_wire_are_refused() {
        for path in [
            "",
            "/v3/x",
            "v3//x",
            "v3/x//",
            "v3/./x",
            "v3/../x",
            "v3/%2e%2e/x",
            "v3/%2E/x",
            "v3/.%2E/x",
            "v3/x/..",
            "v3\\x",
            "v3/x y",
            "v3/x\t",
            "v3/x#y",
            "v3/x?y",
            "v3/%zz",
            "v3/%2",
            "v3/é",
            "//evil.example/v3/x",
        ] {
            assert!(Target::new(&base(), path, "").is_err(), "{path:?}");
        }
        for query in ["a=#", "a b", "a=\\", "a=\n"] {
            assert!(Target::new(&base(), "v3/x", query).is_err(), "{query:?}");
        }
        for path in [
            "v3/applyment4sub/applyment/",
            "v3/x/...",
            "v3/x/.a",
            "v3/a.b/%2e%2e%2e",
            "v3/x:y@z",
        ] {
            assert!(Target::new(&base(), path, "").is_ok(), "{path:?}");
        }
    }

    #[test]
    fn download_urls_keep_only_a_checked_path_and_query() {
        let ok = |url: &str| split_download_url(url).unwrap();
        assert_eq!(
            ok("https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc"),
            ("v3/billdownload/file".to_string(), "token=abc".to_string())
        );
        assert_eq!(
            ok("HTTPS://evil.example/v3/billdownload/file?token=1").0,
            "v3/billdownload/file"
        );
        assert_eq!(ok("/v3/billdownload/file").0, "v3/billdownload/file");
        assert_eq!(ok("v3/billdownload/file?x=1").1, "x=1");
        for url in [
            "https://h/",
            "https://h",
            "https://h?x",
            "/v3/../x",
            "//h/v3/x",
            "\\\\h\\v3\\x",
            "\\/h/v3/x",
            "http:\\\\h\\v3",
            "http:/h/v3/x",
            "http:h/v3/x",
            "ftp://h/v3/x",
            "https://u@h/v3/x",
            "https://h/v3/x#frag",
            " https://h/v3/x",
            "https://h/v3/%2e%2e/x",
        ] {
            assert!(split_download_url(url).is_err(), "{url:?}");
        }
    }
}
