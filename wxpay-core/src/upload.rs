//! Media upload: `multipart/form-data` with a `meta` part (JSON with the
//! file name and its SHA-256), the text parts an operation documents beside
//! it, and a `file` part. The signature covers exactly the `meta` JSON, as
//! WeChat Pay specifies.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::Call;
use crate::crypto::{random_alphanumeric, sha256_hex};
use crate::error::Error;
use crate::request::Method;
use crate::Client;

/// A file to upload, with its `meta` description.
#[derive(Clone)]
pub struct Upload {
    filename: String,
    content: Vec<u8>,
    content_type: String,
    /// The form name of the file part: `file`, or what the operation documents.
    file_part: String,
    extra: serde_json::Map<String, serde_json::Value>,
    /// Text parts of their own, sent between `meta` and the file.
    fields: Vec<(String, String)>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("filename", &self.filename)
            .field("bytes", &self.content.len())
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// A file named `filename` (its extension picks the content type) with these bytes.
    pub fn new(filename: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        let filename = filename.into();
        let content_type = content_type_for(&filename).to_owned();
        Self {
            filename,
            content: content.into(),
            content_type,
            file_part: "file".to_owned(),
            extra: serde_json::Map::new(),
            fields: Vec::new(),
        }
    }

    /// Names the file part (default `file`) for operations that document
    /// another name, e.g. `submission_file` or `due_diligence_file`.
    pub fn file_part(mut self, name: impl Into<String>) -> Self {
        self.file_part = name.into();
        self
    }

    /// Overrides the content type of the `file` part.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// Adds a field to `meta` (some upload APIs take more than filename and sha256).
    pub fn meta_field(mut self, name: &str, value: impl Serialize) -> Result<Self, Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::InvalidRequest(format!("meta field `{name}`: {e}")))?;
        self.extra.insert(name.to_owned(), value);
        Ok(self)
    }

    /// Adds a text part of its own, for operations that document form fields
    /// beside `meta` and the file (the submission-file upload's `item_id`
    /// and `manage_record_id`). Unlike [`meta_field`](Self::meta_field), the
    /// signature does not cover it (WeChat Pay signs `meta` only).
    ///
    /// ```
    /// let upload = wxpay_core::Upload::new("licence.pdf", b"%PDF".to_vec())
    ///     .file_part("submission_file")
    ///     .form_field("item_id", "56")
    ///     .form_field("manage_record_id", "56");
    /// # let _ = upload;
    /// ```
    pub fn form_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// The `meta` JSON: exactly the bytes that are signed and sent as the `meta` part.
    pub fn meta_json(&self) -> Vec<u8> {
        let mut meta = serde_json::Map::new();
        meta.insert("filename".into(), self.filename.clone().into());
        meta.insert("sha256".into(), sha256_hex(&self.content).into());
        for (k, v) in &self.extra {
            meta.insert(k.clone(), v.clone());
        }
        serde_json::Value::Object(meta).to_string().into_bytes()
    }

    fn multipart(&self, meta: &[u8]) -> Result<(String, Vec<u8>), Error> {
        if self.filename.is_empty()
            || self
                .filename
                .chars()
                .any(|c| c == '"' || c == '\\' || c.is_control())
        {
            return Err(Error::InvalidRequest(format!(
                "file name {:?} must be non-empty, without quotes, backslashes or control characters",
                self.filename
            )));
        }
        let bad_name = |name: &str| {
            name.is_empty()
                || name
                    .chars()
                    .any(|c| c == '"' || c == '\\' || c.is_control())
        };
        if bad_name(&self.file_part) {
            return Err(Error::InvalidRequest(format!(
                "file part name {:?} must be non-empty, without quotes, backslashes or control characters",
                self.file_part
            )));
        }
        if let Some((name, _)) = self.fields.iter().find(|(name, _)| bad_name(name)) {
            return Err(Error::InvalidRequest(format!(
                "form field name {name:?} must be non-empty, without quotes, backslashes or control characters"
            )));
        }
        if self.content_type.chars().any(|c| c.is_control()) {
            return Err(Error::InvalidRequest(
                "content type has control characters".into(),
            ));
        }
        let boundary = format!("wxpay-{}", random_alphanumeric(24)?);
        if self
            .fields
            .iter()
            .any(|(_, value)| value.contains(&boundary))
        {
            // A random 24-character boundary: only a value built to break
            // the body can contain it.
            return Err(Error::InvalidRequest(
                "a form field value contains the multipart boundary".into(),
            ));
        }
        let mut body = Vec::with_capacity(self.content.len() + meta.len() + 256);
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
        body.extend_from_slice(meta);
        for (name, value) in &self.fields {
            body.extend_from_slice(
                format!(
                    "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(value.as_bytes());
        }
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                self.file_part, self.filename, self.content_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(&self.content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Ok((format!("multipart/form-data; boundary={boundary}"), body))
    }
}

fn content_type_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "bmp" => "image/bmp",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "avi" => "video/x-msvideo",
        "wmv" => "video/x-ms-wmv",
        "mpeg" | "mpg" => "video/mpeg",
        "mov" => "video/quicktime",
        "flv" => "video/x-flv",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

impl Client {
    /// Uploads a file to a media upload operation (e.g. `v3/merchant/media/upload`,
    /// `v3/merchant/media/video_upload`) and decodes the verified answer
    /// (typically `{"media_id": "..."}`).
    pub async fn upload<T: DeserializeOwned>(
        &self,
        path: &str,
        upload: &Upload,
    ) -> Result<T, Error> {
        let meta = upload.meta_json();
        let (content_type, wire) = upload.multipart(&meta)?;
        let path = path.strip_prefix('/').unwrap_or(path);
        let call = Call {
            method: Method::Post,
            template: path,
            path,
            query: "",
            headers: &[],
            body: Some(&meta),
            wire: Some((&content_type, &wire)),
            idempotent: false,
        };
        self.call_verified(&call, false).await?.json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_is_filename_and_sha256_plus_extras() {
        let u = Upload::new("a.JPG", b"abc".to_vec())
            .meta_field("bank_type", "ICBC")
            .unwrap();
        assert_eq!(
            String::from_utf8(u.meta_json()).unwrap(),
            r#"{"filename":"a.JPG","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","bank_type":"ICBC"}"#
        );
        assert_eq!(u.content_type, "image/jpeg");
        let (ct, body) = u.multipart(&u.meta_json()).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(
            text.contains("name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"filename\"")
        );
        assert!(text.contains(
            "name=\"file\"; filename=\"a.JPG\"\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n"
        ));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn the_file_part_can_be_renamed() {
        let u = Upload::new("a.pdf", b"x".to_vec()).file_part("submission_file");
        let (_, body) = u.multipart(&u.meta_json()).unwrap();
        assert!(
            String::from_utf8_lossy(&body).contains("name=\"submission_file\"; filename=\"a.pdf\"")
        );
        let u = Upload::new("a.pdf", b"x".to_vec()).file_part("a\"b");
        assert!(u.multipart(&u.meta_json()).is_err());
    }

    #[test]
    fn form_fields_are_parts_of_their_own_outside_the_signed_meta() {
        let u = Upload::new("a.pdf", b"x".to_vec())
            .file_part("submission_file")
            .form_field("item_id", "56");
        let meta = String::from_utf8(u.meta_json()).unwrap();
        assert!(!meta.contains("item_id"), "{meta}");
        let (ct, body) = u.multipart(&u.meta_json()).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains(&format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"item_id\"\r\n\r\n56\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"submission_file\""
            )),
            "{text}"
        );
        for name in ["", "a\"b", "a\r\nb"] {
            let u = Upload::new("a.pdf", b"x".to_vec()).form_field(name, "1");
            assert!(u.multipart(&u.meta_json()).is_err(), "{name:?}");
        }
    }

    #[test]
    fn hostile_file_names_are_refused() {
        for name in ["", "a\".jpg", "a\r\nX: y.jpg", "a\\b.jpg"] {
            let u = Upload::new(name, b"x".to_vec());
            assert!(u.multipart(&u.meta_json()).is_err(), "{name:?}");
        }
    }
}
