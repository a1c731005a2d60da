//! Just enough `multipart/form-data` to read an upload: the parts by name.
//! WeChat signs an upload over its `meta` part, not over the whole body.

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<&str> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"'))
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The content of the part called `name`, if the body is multipart and has it.
pub(crate) fn part<'b>(content_type: &str, body: &'b [u8], name: &str) -> Option<&'b [u8]> {
    let delimiter = format!("--{}", boundary(content_type)?);
    let wanted = format!("name=\"{name}\"");
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    loop {
        let end = find(rest, delimiter.as_bytes())?;
        let section = &rest[..end];
        if let Some(split) = find(section, b"\r\n\r\n") {
            let headers = &section[..split];
            let disposition = headers.split(|&b| b == b'\n').find(|line| {
                line.to_ascii_lowercase()
                    .starts_with(b"content-disposition")
            });
            if disposition.is_some_and(|line| find(line, wanted.as_bytes()).is_some()) {
                let content = &section[split + 4..];
                return Some(content.strip_suffix(b"\r\n").unwrap_or(content));
            }
        }
        rest = &rest[end + delimiter.len()..];
        if rest.starts_with(b"--") {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_parts_by_name() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"filename\":\"a.png\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG\r\n--XyZ--\r\n";
        let ct = "multipart/form-data; boundary=XyZ";
        assert_eq!(
            part(ct, body, "meta"),
            Some(&b"{\"filename\":\"a.png\"}"[..])
        );
        assert_eq!(part(ct, body, "file"), Some(&b"PNG"[..]));
        assert_eq!(part(ct, body, "other"), None);
        assert_eq!(part("application/json", body, "meta"), None);
        assert_eq!(part(ct, b"garbage", "meta"), None);
    }
}
