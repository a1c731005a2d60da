//! Media upload: `multipart/form-data` with a `meta` part (JSON with the
//! file name and its SHA-256), the text parts some operations add, and a
//! `file` part. The signature covers exactly the `meta` JSON, as WeChat Pay
//! specifies.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Call, CallBody, Client};
use crate::crypto::{random_alphanumeric, sha256_hex};
use crate::error::Error;
use crate::request::serialize::serialize_with;
use crate::request::{name_key, EncodeContext, Headers, Method};
use crate::sensitive::Sensitive;

/// A file to upload, with its `meta` description.
#[derive(Clone)]
pub struct Upload {
    filename: String,
    content: Vec<u8>,
    content_type: String,
    /// The form name of the file part: `file`, or what the operation documents.
    file_part: String,
    extra: serde_json::Map<String, serde_json::Value>,
    /// Whether `meta` carries `filename` (all but a few operations).
    meta_filename: bool,
    /// Text parts between `meta` and the file (not signed, as WeChat Pay specifies).
    fields: Vec<(String, String)>,
    /// Sensitive `meta` fields (a path of object keys, the plaintext),
    /// encrypted inside [`Client::upload`].
    sensitive: Vec<(Vec<String>, Sensitive<String>)>,
    /// Whether the request names the current WeChat Pay key in `Wechatpay-Serial`.
    serial: bool,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("filename", &self.filename)
            .field("bytes", &self.content.len())
            .field("content_type", &self.content_type)
            .field("sensitive_fields", &self.sensitive.len())
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
            meta_filename: true,
            fields: Vec::new(),
            sensitive: Vec::new(),
            serial: false,
        }
    }

    /// Leaves `filename` out of `meta`, for operations whose `meta` is
    /// documented without it (e.g. the shopping receipt upload, whose `meta`
    /// names the order instead); `sha256` stays.
    ///
    /// ```
    /// let upload = wxpay_core::Upload::new("r.png", b"x".to_vec())
    ///     .without_meta_filename()
    ///     .meta_field("openid", "oUpF8uMuAJO")?;
    /// let meta = String::from_utf8(upload.meta_json()).unwrap();
    /// assert!(meta.starts_with(r#"{"sha256":"#) && meta.contains("openid"));
    /// # Ok::<(), wxpay_core::Error>(())
    /// ```
    pub fn without_meta_filename(mut self) -> Self {
        self.meta_filename = false;
        self
    }

    /// Adds a text part (`name`, `value`) after `meta`, for operations that
    /// document form fields besides `meta` and the file (e.g. `item_id` of
    /// the submission-file upload). WeChat Pay signs `meta` only, so these
    /// parts are not covered by the signature. A name with quotes,
    /// backslashes or control characters is refused when sending.
    pub fn form_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Adds a sensitive text field to `meta` at `path` (object keys from the
    /// top, e.g. `["merchant_contact_information", "consultation_phone_number"]`).
    /// [`Client::upload`] encrypts it with the current WeChat Pay key, as
    /// [`Client::send`] does a [`Sensitive`] field, and sends
    /// `Wechatpay-Serial`; [`meta_json`](Self::meta_json) leaves it out. An
    /// empty path, or one through a field that is not an object, is refused
    /// when sending.
    pub fn sensitive_meta_field(mut self, path: &[&str], value: Sensitive<String>) -> Self {
        self.sensitive
            .push((path.iter().map(|k| (*k).to_owned()).collect(), value));
        self
    }

    /// Sends `Wechatpay-Serial` naming the current WeChat Pay key even
    /// without sensitive fields, for operations that require the header.
    pub fn wechatpay_serial(mut self) -> Self {
        self.serial = true;
        self
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

    /// The `meta` JSON: exactly the bytes that are signed and sent as the
    /// `meta` part, apart from [sensitive fields](Self::sensitive_meta_field).
    pub fn meta_json(&self) -> Vec<u8> {
        serde_json::Value::Object(self.meta())
            .to_string()
            .into_bytes()
    }

    fn meta(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut meta = serde_json::Map::new();
        if self.meta_filename {
            meta.insert("filename".into(), self.filename.clone().into());
        }
        meta.insert("sha256".into(), sha256_hex(&self.content).into());
        for (k, v) in &self.extra {
            meta.insert(k.clone(), v.clone());
        }
        meta
    }

    /// `meta` with the sensitive fields encrypted in `cx`, and the request
    /// headers (`Wechatpay-Serial`, decided as for every request).
    fn encode_meta(&self, cx: &EncodeContext<'_>) -> Result<(Vec<u8>, Headers), Error> {
        let mut meta = self.meta();
        for (path, value) in &self.sensitive {
            let ciphertext =
                serialize_with(value, serde_json::value::Serializer, cx).map_err(|e| {
                    Error::InvalidRequest(format!("sensitive meta field {:?}: {e}", path.join(".")))
                })?;
            insert_at(&mut meta, path, ciphertext)?;
        }
        let mut headers = Vec::new();
        name_key(&mut headers, cx, self.serial)?;
        Ok((
            serde_json::Value::Object(meta).to_string().into_bytes(),
            headers,
        ))
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
        for name in std::iter::once(&self.file_part).chain(self.fields.iter().map(|(n, _)| n)) {
            if bad_name(name) {
                return Err(Error::InvalidRequest(format!(
                    "form part name {name:?} must be non-empty, without quotes, backslashes or control characters"
                )));
            }
        }
        if self.content_type.chars().any(|c| c.is_control()) {
            return Err(Error::InvalidRequest(
                "content type has control characters".into(),
            ));
        }
        let boundary = format!("wxpay-{}", random_alphanumeric(24)?);
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

/// Puts `value` at `path` in `meta`, creating objects on the way.
fn insert_at(
    meta: &mut serde_json::Map<String, serde_json::Value>,
    path: &[String],
    value: serde_json::Value,
) -> Result<(), Error> {
    let invalid = || {
        Error::InvalidRequest(format!(
            "sensitive meta field {:?}: an empty path, or a path through a field that is not an object",
            path.join(".")
        ))
    };
    let (last, parents) = path.split_last().ok_or_else(invalid)?;
    let mut object = meta;
    for key in parents {
        object = object
            .entry(key.clone())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()))
            .as_object_mut()
            .ok_or_else(invalid)?;
    }
    object.insert(last.clone(), value);
    Ok(())
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
    /// (typically `{"media_id": "..."}`). The `meta` part is signed, and its
    /// sensitive fields are encrypted, as a typed request's body is.
    pub async fn upload<T: DeserializeOwned>(
        &self,
        path: &str,
        upload: &Upload,
    ) -> Result<T, Error> {
        // Sensitive fields need the current key: refresh (when due) first.
        self.trust().ready(self).await;
        let encryptor = self.keyring().encryptor();
        let (meta, headers) = upload.encode_meta(&self.encode_context(encryptor.as_ref()))?;
        let (content_type, form) = upload.multipart(&meta)?;
        let path = path.strip_prefix('/').unwrap_or(path);
        let call = Call {
            method: Method::Post,
            template: path,
            path,
            query: "",
            headers: &headers,
            body: CallBody::Multipart {
                meta: &meta,
                content_type: &content_type,
                form: &form,
            },
            idempotent: false,
        };
        self.exchange(&call).await?.json()
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
    fn text_parts_sit_between_meta_and_the_file() {
        let u = Upload::new("a.pdf", b"x".to_vec())
            .file_part("submission_file")
            .form_field("item_id", "56")
            .form_field("manage_record_id", "M1");
        let meta = u.meta_json();
        let (ct, body) = u.multipart(&meta).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&body);
        let parts: Vec<&str> = text.split(&format!("--{boundary}")).collect();
        // "", meta, item_id, manage_record_id, file, "--\r\n"
        assert_eq!(parts.len(), 6, "{text}");
        assert!(parts[1].contains("name=\"meta\""));
        assert_eq!(
            parts[2],
            "\r\nContent-Disposition: form-data; name=\"item_id\"\r\n\r\n56\r\n"
        );
        assert!(parts[3].ends_with("name=\"manage_record_id\"\r\n\r\nM1\r\n"));
        assert!(parts[4].contains("name=\"submission_file\"; filename=\"a.pdf\""));
        // Only meta is signed: the text parts do not change it.
        assert_eq!(meta, Upload::new("a.pdf", b"x".to_vec()).meta_json());
        for bad in ["", "a\"b", "a\r\nb", "a\\b"] {
            let u = Upload::new("a.pdf", b"x".to_vec()).form_field(bad, "1");
            assert!(u.multipart(&u.meta_json()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn meta_can_leave_out_the_file_name() {
        let u = Upload::new("r.png", b"abc".to_vec())
            .without_meta_filename()
            .meta_field("openid", "o1")
            .unwrap();
        assert_eq!(
            String::from_utf8(u.meta_json()).unwrap(),
            r#"{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","openid":"o1"}"#
        );
    }

    #[test]
    fn hostile_file_names_are_refused() {
        for name in ["", "a\".jpg", "a\r\nX: y.jpg", "a\\b.jpg"] {
            let u = Upload::new(name, b"x".to_vec());
            assert!(u.multipart(&u.meta_json()).is_err(), "{name:?}");
        }
    }
}
