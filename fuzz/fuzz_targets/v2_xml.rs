//! The APIv2 XML decoder and the refund notification's `req_info`
//! decryption return (an error or fields) on any input; what the decoder
//! accepts encodes to a document it decodes to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wxpay_core::v2::{from_xml, notify, to_xml, ApiV2Key};

fuzz_target!(|data: &[u8]| {
    if let Ok(fields) = from_xml(data) {
        if fields
            .keys()
            .all(|k| k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            assert_eq!(from_xml(to_xml(&fields).as_bytes()).as_ref(), Ok(&fields));
        }
    }
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let _ = notify::decrypt_refund_notification(data, &key);
    let _ = notify::decrypt_req_info(&String::from_utf8_lossy(data), &key);
});
