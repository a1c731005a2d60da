use std::collections::BTreeMap;

use wxpay_core::v2::{from_xml, to_xml, V2Error};

#[test]
fn round_trips_text_with_markup_and_cdata_ends() {
    let fields = BTreeMap::from([
        ("body".to_owned(), "a <b> & \"c\" ]]> d".to_owned()),
        ("empty".to_owned(), String::new()),
        ("mch_id".to_owned(), "10000100".to_owned()),
    ]);
    assert_eq!(from_xml(to_xml(&fields).as_bytes()).unwrap(), fields);
}

#[test]
fn reads_plain_text_predefined_entities_and_char_refs() {
    let xml = "<?xml version=\"1.0\"?>\n<xml>\n  <a>x &amp; y &#20013;&#x6587;</a>\n  <b/>\n  <!-- c -->\n</xml>\n";
    let f = from_xml(xml.as_bytes()).unwrap();
    assert_eq!(f["a"], "x & y 中文");
    assert_eq!(f["b"], "");
}

#[test]
fn an_xxe_payload_is_refused() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><return_code>&xxe;</return_code></xml>"#;
    assert_eq!(from_xml(xxe.as_bytes()).unwrap_err(), V2Error::Doctype);
    // Billion laughs: refused at the DTD too.
    let bomb = r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><a>&lol2;</a></xml>"#;
    assert_eq!(from_xml(bomb.as_bytes()).unwrap_err(), V2Error::Doctype);
    // An entity without a DTD is not expanded either.
    let undefined = "<xml><a>&xxe;</a></xml>";
    assert_eq!(
        from_xml(undefined.as_bytes()).unwrap_err(),
        V2Error::Entity("xxe".into())
    );
}

#[test]
fn malformed_documents_are_typed_errors() {
    for bad in [
        "",
        "not xml",
        "<xml><a>1</a>",
        "<xml><a>1</b></xml>",
        "<xml><a><b>1</b></a></xml>",
        "<xml><a>1</a><a>2</a></xml>",
        "<xml><a>1</a></xml><xml/>",
        "<xml>text<a>1</a></xml>",
        "<xml><a>\u{0}</a",
    ] {
        assert!(
            matches!(from_xml(bad.as_bytes()), Err(V2Error::Xml(_))),
            "{bad:?}: {:?}",
            from_xml(bad.as_bytes())
        );
    }
    assert!(matches!(
        from_xml(b"<xml><a>\xff</a></xml>"),
        Err(V2Error::Xml(_))
    ));
}
