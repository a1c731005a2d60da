//! The flat XML APIv2 speaks: `<xml><field><![CDATA[value]]></field>...</xml>`.
//!
//! Decoding refuses a document type declaration (so no DTD, no external or
//! internal entity can be defined: XXE and entity expansion are impossible),
//! any entity reference but the five XML predefines and character
//! references, nested elements, duplicate fields and trailing content.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::error::V2Error;

/// The most fields one document may carry (WeChat's largest answers have a few hundred).
const MAX_FIELDS: usize = 4096;

/// Encodes fields as `<xml>` with each value in CDATA (keys must be
/// `[A-Za-z0-9_]+`, which [`V2Request::param`](super::V2Request::param) checks).
pub fn to_xml(fields: &BTreeMap<String, String>) -> String {
    let mut out = String::from("<xml>");
    for (k, v) in fields {
        out.push('<');
        out.push_str(k);
        out.push_str("><![CDATA[");
        // `]]>` cannot appear in CDATA: close and reopen around its `>`.
        out.push_str(&v.replace("]]>", "]]]]><![CDATA[>"));
        out.push_str("]]></");
        out.push_str(k);
        out.push('>');
    }
    out.push_str("</xml>");
    out
}

/// Whether `name` may be an APIv2 field name.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Decodes a flat APIv2 document (root `<xml>`, or `<root>` as in a decrypted
/// `req_info`) into its fields.
pub fn from_xml(bytes: &[u8]) -> Result<BTreeMap<String, String>, V2Error> {
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = false;
    config.check_end_names = true;

    let bad = |e: &dyn std::fmt::Display| V2Error::Xml(e.to_string());
    let mut fields = BTreeMap::new();
    let mut root_seen = false;
    let mut root_closed = false;
    // The field being read: its name and text so far.
    let mut current: Option<(String, String)> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| bad(&e))?;
        match event {
            Event::DocType(_) => return Err(V2Error::Doctype),
            Event::Decl(_) | Event::Comment(_) if !root_seen || root_closed => {}
            Event::Comment(_) => {}
            Event::Decl(_) | Event::PI(_) => {
                return Err(V2Error::Xml(
                    "processing instruction inside the document".into(),
                ))
            }
            Event::Start(e) => {
                let name = std::str::from_utf8(e.name().as_ref())
                    .map_err(|e| bad(&e))?
                    .to_owned();
                if root_closed {
                    return Err(V2Error::Xml("content after the root element".into()));
                }
                if !root_seen {
                    root_seen = true;
                } else if current.is_some() {
                    return Err(V2Error::Xml(format!("nested element <{name}>")));
                } else {
                    current = Some((name, String::new()));
                }
            }
            Event::Empty(e) => {
                let name = std::str::from_utf8(e.name().as_ref())
                    .map_err(|e| bad(&e))?
                    .to_owned();
                if !root_seen || root_closed || current.is_some() {
                    return Err(V2Error::Xml(format!("unexpected element <{name}/>")));
                }
                insert(&mut fields, name, String::new())?;
            }
            Event::End(_) => match current.take() {
                Some((name, value)) => insert(&mut fields, name, value)?,
                None => root_closed = true,
            },
            Event::Text(t) => {
                let text = t.decode().map_err(|e| bad(&e))?;
                match &mut current {
                    Some((_, value)) => value.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(V2Error::Xml("text outside a field".into())),
                }
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| bad(&e))?;
                match &mut current {
                    Some((_, value)) => value.push_str(&text),
                    None => return Err(V2Error::Xml("CDATA outside a field".into())),
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| bad(&e))?
                        .ok_or_else(|| V2Error::Xml("invalid character reference".into()))?
                } else {
                    let name = r.decode().map_err(|e| bad(&e))?;
                    match &*name {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(V2Error::Entity(other.to_owned())),
                    }
                };
                match &mut current {
                    Some((_, value)) => value.push(c),
                    None => return Err(V2Error::Xml("reference outside a field".into())),
                }
            }
            Event::Eof => break,
        }
        buf.clear();
    }
    if !root_seen {
        return Err(V2Error::Xml("no root element".into()));
    }
    if !root_closed {
        return Err(V2Error::Xml(
            "document ends before the root element closes".into(),
        ));
    }
    Ok(fields)
}

fn insert(
    fields: &mut BTreeMap<String, String>,
    name: String,
    value: String,
) -> Result<(), V2Error> {
    if fields.len() >= MAX_FIELDS {
        return Err(V2Error::Xml(format!("more than {MAX_FIELDS} fields")));
    }
    if fields.contains_key(&name) {
        return Err(V2Error::Xml(format!("field <{name}> appears twice")));
    }
    fields.insert(name, value);
    Ok(())
}
