//! The flat XML APIv2 speaks (PROTOCOL.md, "APIv2"): `<xml>` holding one
//! element per field, each value text or CDATA. Reading refuses a document
//! type declaration (so no entity can be defined: no XXE, no expansion),
//! every entity but XML's five, nested elements, repeated fields and
//! anything after the root.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;

/// The most fields a request may carry (WeChat's largest have a few hundred).
const MAX_FIELDS: usize = 1024;

/// `<xml><name><![CDATA[value]]></name>...</xml>` (or another root name, as
/// the refund notification's `<root>`). Names are the sandbox's own, so only
/// values need care: `]]>` cannot appear inside CDATA.
pub(crate) fn write(root: &str, fields: &BTreeMap<String, String>) -> String {
    let mut out = format!("<{root}>");
    for (name, value) in fields {
        out.push_str(&format!(
            "<{name}><![CDATA[{}]]></{name}>",
            value.replace("]]>", "]]]]><![CDATA[>")
        ));
    }
    out.push_str(&format!("</{root}>"));
    out
}

/// Reads a flat document into its fields, or says what is wrong with it.
pub(crate) fn read(bytes: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = false;
    config.check_end_names = true;

    let mut fields = BTreeMap::new();
    // Depth 0: before the root; 1: inside it; 2: inside a field.
    let mut depth = 0u8;
    let mut finished = false;
    let mut field: Option<(String, String)> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("not well-formed XML: {e}"))?;
        match event {
            Event::DocType(_) => return Err("a DOCTYPE is not accepted".into()),
            Event::Decl(_) | Event::Comment(_) if depth == 0 => {}
            Event::Comment(_) => {}
            Event::Decl(_) | Event::PI(_) => {
                return Err("processing instructions are not accepted".into())
            }
            Event::Start(e) => {
                let name = name_of(e.name().as_ref())?;
                match depth {
                    _ if finished => return Err("content after the root element".into()),
                    0 => depth = 1,
                    1 => {
                        field = Some((name, String::new()));
                        depth = 2;
                    }
                    _ => return Err(format!("nested element <{name}> inside a field")),
                }
            }
            Event::Empty(e) => {
                let name = name_of(e.name().as_ref())?;
                if finished {
                    return Err("content after the root element".into());
                }
                if depth != 1 {
                    return Err(format!("unexpected <{name}/>"));
                }
                insert(&mut fields, name, String::new())?;
            }
            Event::End(_) => match depth {
                2 => {
                    if let Some((name, value)) = field.take() {
                        insert(&mut fields, name, value)?;
                    }
                    depth = 1;
                }
                _ => {
                    depth = 0;
                    finished = true;
                }
            },
            Event::Text(t) => {
                let text = t.decode().map_err(|e| format!("bad text: {e}"))?;
                match &mut field {
                    Some((_, value)) => value.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err("text outside a field".into()),
                }
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| format!("bad CDATA: {e}"))?;
                match &mut field {
                    Some((_, value)) => value.push_str(&text),
                    None => return Err("CDATA outside a field".into()),
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .ok()
                        .flatten()
                        .ok_or("an invalid character reference")?
                } else {
                    let name = r.decode().map_err(|e| format!("bad reference: {e}"))?;
                    match &*name {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(format!("the entity &{other}; is not accepted")),
                    }
                };
                match &mut field {
                    Some((_, value)) => value.push(c),
                    None => return Err("a reference outside a field".into()),
                }
            }
            Event::Eof => break,
        }
        buf.clear();
    }
    if !finished {
        return Err("the document has no complete root element".into());
    }
    Ok(fields)
}

fn name_of(raw: &[u8]) -> Result<String, String> {
    std::str::from_utf8(raw)
        .map(str::to_owned)
        .map_err(|_| "an element name is not UTF-8".to_owned())
}

fn insert(
    fields: &mut BTreeMap<String, String>,
    name: String,
    value: String,
) -> Result<(), String> {
    if fields.len() >= MAX_FIELDS {
        return Err(format!("more than {MAX_FIELDS} fields"));
    }
    if fields.contains_key(&name) {
        return Err(format!("the field <{name}> appears twice"));
    }
    fields.insert(name, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_flat_documents() {
        let fields = BTreeMap::from([
            ("a".to_owned(), "x]]>y".to_owned()),
            ("b".to_owned(), String::new()),
        ]);
        let text = write("xml", &fields);
        assert_eq!(read(text.as_bytes()).unwrap(), fields);
        let plain = b"<?xml version=\"1.0\"?><xml><c>1 &lt; 2</c><d/></xml>";
        let read = read(plain).unwrap();
        assert_eq!(read["c"], "1 < 2");
        assert_eq!(read["d"], "");
    }

    #[test]
    fn refuses_entities_nesting_and_trailing_content() {
        for (doc, needle) in [
            (
                r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>"#,
                "DOCTYPE",
            ),
            ("<xml><a>&e;</a></xml>", "entity"),
            ("<xml><a><b>1</b></a></xml>", "nested"),
            ("<xml><a>1</a><a>2</a></xml>", "twice"),
            ("<xml><a>1</a></xml><xml/>", "after the root"),
            ("<xml><a>1</a>", "root"),
            ("", "root"),
        ] {
            let e = read(doc.as_bytes()).unwrap_err();
            assert!(e.contains(needle), "{doc}: {e}");
        }
    }
}
