//! Uploads (the signature covers only the `meta` JSON) and bills (unsigned
//! file, checked against the SHA-1 of a signed answer; gzip handled).

use std::io::Write;

use base64::Engine;
use wxpay_core::bills::BillInfo;
use wxpay_core::sign::request_message;
use wxpay_core::{Error, Upload, VerifyError};

use crate::server::{Reply, Signing, TestServer};

#[tokio::test]
async fn upload_signs_the_meta_json_and_sends_multipart() {
    let server = TestServer::start().await;
    server.reply(Reply::json(
        200,
        r#"{"media_id":"H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKhoAS8G7oM"}"#,
    ));
    let image = vec![0xFFu8, 0xD8, 0xFF, 0xE0, 0, 1, 2, 3];
    let upload = Upload::new("cert.jpg", image.clone());
    #[derive(serde::Deserialize)]
    struct Media {
        media_id: String,
    }
    let media: Media = server
        .client()
        .upload("v3/merchant/media/upload", &upload)
        .await
        .unwrap();
    assert_eq!(
        media.media_id,
        "H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKhoAS8G7oM"
    );

    let got = server.last();
    assert_eq!(got.target, "/v3/merchant/media/upload");
    let content_type = got.headers["content-type"].to_str().unwrap().to_owned();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let meta = upload.meta_json();
    let expected_meta = format!(
        r#"{{"filename":"cert.jpg","sha256":"{}"}}"#,
        wxpay_core::unstable::sha256_hex(&image)
    );
    assert_eq!(String::from_utf8(meta.clone()).unwrap(), expected_meta);
    let mut expected_body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{expected_meta}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cert.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    expected_body.extend_from_slice(&image);
    expected_body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(got.body, expected_body);

    let auth =
        wxpay_core::unstable::parse_authorization(got.headers["authorization"].to_str().unwrap())
            .unwrap();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&auth.signature)
        .unwrap();
    let over_meta = request_message("POST", &got.target, &auth.timestamp, &auth.nonce_str, &meta);
    assert!(server
        .merchant
        .public_key()
        .verify_sha256(&over_meta, &signature));
    let over_wire = request_message(
        "POST",
        &got.target,
        &auth.timestamp,
        &auth.nonce_str,
        &got.body,
    );
    assert!(!server
        .merchant
        .public_key()
        .verify_sha256(&over_wire, &signature));
}

/// Bill metadata promising the SHA-1 of `sha1_of`.
fn bill(sha1_of: &[u8]) -> BillInfo {
    BillInfo::new(
        "https://api.mch.weixin.qq.com/v3/billdownload/file?token=xyz",
        wxpay_core::unstable::sha1_hex(sha1_of),
    )
    .unwrap()
}

const CSV: &str =
    "交易时间,公众账号ID,商户号\n`2024-01-01 10:00:00,`wx2421b1c4370ec43b,`1900000109\n";

async fn read_all(server: &TestServer, info: &BillInfo) -> Result<Vec<u8>, Error> {
    let mut d = server.client().download_bill(info).await?;
    let mut out = Vec::new();
    while let Some(chunk) = d.chunk().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[tokio::test]
async fn bills_plain_and_gzip_are_checked_against_their_sha1() {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, CSV).signing(Signing::None));
    let info = bill(CSV.as_bytes());
    assert_eq!(read_all(&server, &info).await.unwrap(), CSV.as_bytes());

    let big: String = CSV.repeat(2000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(big.as_bytes()).unwrap();
    let compressed = gz.finish().unwrap();
    let mut reply = Reply::json(200, "").signing(Signing::None);
    reply.body = compressed;
    server.reply(reply);
    let info = bill(big.as_bytes());
    assert_eq!(read_all(&server, &info).await.unwrap(), big.as_bytes());
}

#[tokio::test]
async fn a_wrong_hash_fails_and_leaves_no_file() {
    let server = TestServer::start().await;
    server.reply(Reply::json(200, CSV).signing(Signing::None));
    let info = bill(b"something else");
    let err = read_all(&server, &info).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Verification {
                reason: VerifyError::HashMismatch { .. },
                ..
            }
        ),
        "{err:?}"
    );

    let dir = std::env::temp_dir().join(format!("wxpay-bill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tradebill.csv");
    let d = server.client().download_bill(&info).await.unwrap();
    assert!(d.save_to(&path).await.is_err());
    assert!(!path.exists());
    assert!(!dir.join("tradebill.csv.partial").exists());

    let good = bill(CSV.as_bytes());
    let d = server.client().download_bill(&good).await.unwrap();
    let mut seen = Vec::new();
    let written = d
        .save_to_with_progress(&path, |n| seen.push(n))
        .await
        .unwrap();
    assert_eq!(written, CSV.len() as u64);
    // Progress counts up to what was written.
    assert!(
        !seen.is_empty() && seen.windows(2).all(|w| w[0] < w[1]),
        "{seen:?}"
    );
    assert_eq!(seen.last(), Some(&written));
    assert_eq!(std::fs::read(&path).unwrap(), CSV.as_bytes());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn typed_image_and_video_uploads() {
    use wxpay_apis::media::{ImageUploadRequest, VideoUploadRequest};
    let server = TestServer::start().await;
    server.reply(Reply::json(200, r#"{"media_id":"IMG-1"}"#));
    let client = server.client();
    let media = ImageUploadRequest::new("shop.png", b"\x89PNG...")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(media.media_id, "IMG-1");
    let got = server.last();
    assert_eq!(got.target, "/v3/merchant/media/upload");
    assert!(String::from_utf8_lossy(&got.body)
        .contains("filename=\"shop.png\"\r\nContent-Type: image/png"));

    server.reply(Reply::json(200, r#"{"media_id":"VID-1"}"#));
    let media = VideoUploadRequest::new("intro.mp4", b"\0\0\0 ftypmp42")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(media.media_id, "VID-1");
    assert_eq!(server.last().target, "/v3/merchant/media/video_upload");
    assert_signed_upload(&server);
}

/// An area's upload (compiled with `ecommerce`, a default feature) posts
/// the file to its own path and decodes its answer.
#[tokio::test]
async fn typed_upload_of_an_area() {
    use wxpay_apis::media::CancelApplicationMediaUploadRequest;
    let server = TestServer::start().await;
    server.reply(Reply::json(200, r#"{"media_id":"CANCEL-1"}"#));
    let media = CancelApplicationMediaUploadRequest::new("proof.jpg", b"\xFF\xD8\xFF")
        .send(&server.client())
        .await
        .unwrap();
    assert_eq!(media.media_id, "CANCEL-1");
    assert_eq!(
        server.last().target,
        "/v3/ecommerce/account/cancel-applications/media"
    );
    assert_signed_upload(&server);
}

/// The two risk uploads: the file under its documented part name, and the
/// submission's `item_id`/`manage_record_id` as text parts of their own.
#[tokio::test]
async fn typed_uploads_with_their_own_part_names_and_form_fields() {
    use wxpay_apis::media::{
        DueDiligenceFileUploadRequest, DueDiligenceFileUploadRequired, SubmissionFileUploadRequest,
        SubmissionFileUploadRequired,
    };
    let server = TestServer::start().await;
    let client = server.client();
    server.reply(Reply::json(200, r#"{"file_id":"V1_DD"}"#));
    let file = DueDiligenceFileUploadRequest::new(DueDiligenceFileUploadRequired {
        due_diligence_id: "123000110_2_21",
        filename: "licence.pdf",
        content: b"%PDF-1.4",
    })
    .send(&client)
    .await
    .unwrap();
    assert_eq!(file.file_id, "V1_DD");
    let got = server.last();
    assert_eq!(
        got.target,
        "/v3/mch-operation-manage/enhanced-due-diligence/123000110_2_21/upload"
    );
    assert!(String::from_utf8_lossy(&got.body)
        .contains("name=\"due_diligence_file\"; filename=\"licence.pdf\""));
    assert_signed_upload(&server);

    server.reply(Reply::json(200, r#"{"file_id":"V1_SUB"}"#));
    let file = SubmissionFileUploadRequest::new(SubmissionFileUploadRequired {
        sub_mchid: "1230000110",
        item_id: 56,
        manage_record_id: "M-7",
        filename: "a.png",
        content: b"\x89PNG",
    })
    .send(&client)
    .await
    .unwrap();
    assert_eq!(file.file_id, "V1_SUB");
    let got = server.last();
    assert_eq!(
        got.target,
        "/v3/mch-manage/submission-files/sub-mchid/1230000110/upload"
    );
    let text = String::from_utf8_lossy(&got.body);
    assert!(text.contains("name=\"item_id\"\r\n\r\n56\r\n"), "{text}");
    assert!(
        text.contains("name=\"manage_record_id\"\r\n\r\nM-7\r\n"),
        "{text}"
    );
    assert!(text.contains("name=\"submission_file\"; filename=\"a.png\""));
    assert_signed_upload(&server);
    // A path parameter that would leave the route is refused before sending.
    let before = server.count();
    let err = SubmissionFileUploadRequest::new(SubmissionFileUploadRequired {
        sub_mchid: "..",
        item_id: 56,
        manage_record_id: "M-7",
        filename: "a.png",
        content: b"x",
    })
    .send(&client)
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.count(), before);
}

/// The shopping receipt: `meta` names the order (no `filename`), the phone
/// number is encrypted for the platform key inside `send`, and the request
/// names that key in `Wechatpay-Serial` (required even without the phone).
#[tokio::test]
async fn the_shopping_receipt_encrypts_its_phone_number_and_names_the_key() {
    use wxpay_apis::media::{ShoppingReceiptUploadRequest, ShoppingReceiptUploadRequired};
    use wxpay_core::sensitive::Sensitive;
    let server = TestServer::start().await;
    let client = server.client();
    server.reply(Reply::json(
        200,
        r#"{"receipt":{"receipt_id":"121630001","state":"WAIT_REVIEW","transaction_id":"42000","openid":"oU1","sha256":"ab","image_type":"PNG","create_time":"2026-12-02T10:00:00+08:00","modify_time":"2026-12-02T10:00:00+08:00"}}"#,
    ));
    let png = b"\x89PNG receipt".to_vec();
    let mut request = ShoppingReceiptUploadRequest::new(ShoppingReceiptUploadRequired {
        transaction_id: "42000",
        openid: "oU1",
        filename: "r.png",
        content: &png,
    });
    request.out_trade_no = Some("T-1");
    request.consultation_phone_number = Some(Sensitive::new("0755-86013388"));
    assert!(!format!("{request:?}").contains("86013388"));
    let answer = request.send(&client).await.unwrap();
    assert_eq!(answer.receipt.receipt_id, "121630001");
    assert_eq!(answer.receipt.state, "WAIT_REVIEW");

    let got = server.last();
    assert_eq!(
        got.target,
        "/v3/marketing/shopping-receipt/shoppingreceipts"
    );
    assert_eq!(got.headers["wechatpay-serial"], crate::server::PLATFORM_ID);
    let text = String::from_utf8_lossy(&got.body).into_owned();
    let start = text.find("{\"sha256\"").expect("meta starts with sha256");
    let end = start + text[start..].find("}\r\n").unwrap() + 1;
    let meta: serde_json::Value = serde_json::from_str(&text[start..end]).unwrap();
    assert!(meta.get("filename").is_none(), "{meta}");
    assert_eq!(meta["transaction_id"], "42000");
    assert_eq!(meta["openid"], "oU1");
    assert_eq!(meta["out_trade_no"], "T-1");
    assert_eq!(meta["sha256"], wxpay_core::unstable::sha256_hex(&png));
    let phone = meta["merchant_contact_information"]["consultation_phone_number"]
        .as_str()
        .unwrap();
    assert!(!text.contains("86013388"));
    assert_eq!(
        server.platform.decrypt_oaep_base64(phone).unwrap(),
        "0755-86013388"
    );
    // The signature covers that meta, ciphertext included.
    let auth =
        wxpay_core::unstable::parse_authorization(got.headers["authorization"].to_str().unwrap())
            .unwrap();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&auth.signature)
        .unwrap();
    let message = request_message(
        "POST",
        &got.target,
        &auth.timestamp,
        &auth.nonce_str,
        &got.body[start..end],
    );
    assert!(server
        .merchant
        .public_key()
        .verify_sha256(&message, &signature));

    // Without the phone number the header is still sent.
    ShoppingReceiptUploadRequest::new(ShoppingReceiptUploadRequired {
        transaction_id: "42000",
        openid: "oU1",
        filename: "r.png",
        content: &png,
    })
    .send(&client)
    .await
    .unwrap();
    assert_eq!(
        server.last().headers["wechatpay-serial"],
        crate::server::PLATFORM_ID
    );
}

/// The upload's signature covers its `meta` part, as received.
fn assert_signed_upload(server: &TestServer) {
    let got = server.last();
    let text = String::from_utf8_lossy(&got.body).into_owned();
    let meta_start = text.find("{\"filename\"").unwrap();
    let meta_end = meta_start + text[meta_start..].find("}\r\n").unwrap() + 1;
    let meta = &got.body[meta_start..meta_end];
    let auth =
        wxpay_core::unstable::parse_authorization(got.headers["authorization"].to_str().unwrap())
            .unwrap();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&auth.signature)
        .unwrap();
    let message = request_message("POST", &got.target, &auth.timestamp, &auth.nonce_str, meta);
    assert!(server
        .merchant
        .public_key()
        .verify_sha256(&message, &signature));
}

/// The typed bill-file download (compiled with `pay`, a default feature)
/// sends its query encoded, streams the unsigned file, and does not take an
/// unsigned error answer for a verified one.
#[tokio::test]
async fn typed_bill_file_download() {
    use wxpay_apis::download::BillFileDownloadRequest;
    let server = TestServer::start().await;
    server.reply(Reply::json(200, CSV).signing(Signing::None));
    let mut request = BillFileDownloadRequest::new("t&k=1 2");
    request.tartype = Some("GZIP");
    let file = request
        .send(&server.client())
        .await
        .unwrap()
        .bytes(1 << 20)
        .await
        .unwrap();
    assert_eq!(&file[..], CSV.as_bytes());
    let got = server.last();
    assert_eq!(got.method, "GET");
    assert_eq!(
        got.target,
        "/v3/billdownload/file?token=t%26k%3D1%202&tartype=GZIP"
    );
    assert!(got.headers["authorization"]
        .to_str()
        .unwrap()
        .starts_with("WECHATPAY2-SHA256-RSA2048 "));

    server.reply(
        Reply::json(400, r#"{"code":"INVALID_REQUEST","message":"bad token"}"#)
            .signing(Signing::None),
    );
    let err = BillFileDownloadRequest::new("expired")
        .send(&server.client())
        .await
        .unwrap_err();
    // Reported, but marked as not verified: an error answer is signed, this one was not.
    assert!(
        matches!(&err, Error::Api(e) if e.code == "INVALID_REQUEST" && !e.signature_verified),
        "{err:?}"
    );
}
