//! Turning wire names, path segments and doc slugs into Rust identifiers.

/// Words of a name: split on anything not alphanumeric and before an
/// uppercase letter that follows a lowercase one (`payAuthNo` -> pay, Auth, No).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in part.chars() {
            if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c);
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

fn capitalise(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `return-advance` -> `ReturnAdvance`, `SUCCESS` -> `Success`, `weChat` -> `WeChat`.
pub fn pascal(name: &str) -> String {
    words(name).iter().map(|w| capitalise(w)).collect()
}

/// `payAuthNo` -> `pay_auth_no`, `payer _currency` -> `payer_currency`.
pub fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// Splits a PascalCase identifier into its words (`QueryReturnAdvance` ->
/// Query, Return, Advance); digits stay with the word before them.
pub fn pascal_words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() || out.is_empty() {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A snake_case identifier for a field or module: keywords become raw
/// identifiers (`r#type`), or get a trailing `_` where raw is not allowed.
pub fn ident(snake_name: &str) -> String {
    if NOT_RAW.contains(&snake_name) {
        format!("{snake_name}_")
    } else if KEYWORDS.contains(&snake_name) {
        format!("r#{snake_name}")
    } else {
        snake_name.to_owned()
    }
}

/// The identifier without a raw prefix, as a file name or in a test name.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Type names generated code must not define, because they would shadow
/// what the generated files import or the prelude.
pub const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Clone",
    "Debug",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "Iterator",
    "Serialize",
    "Deserialize",
    "Timestamp",
    "MediaId",
    "JsonString",
    "Value",
];

/// The element name of a list field: `receivers` -> `receiver`,
/// `receiver_list` -> `receiver`, `goods_detail` unchanged.
pub fn singular(field: &str) -> String {
    if let Some(stem) = field.strip_suffix("_list") {
        if !stem.is_empty() {
            return stem.to_owned();
        }
    }
    const KEEP: &[&str] = &[
        "goods", "status", "news", "series", "address", "express", "business", "access", "class",
        "process", "success", "bonus", "campus", "canvas", "analysis", "basis", "alias", "plus",
        "minus", "focus", "census", "virus", "corpus",
    ];
    let last = field.rsplit('_').next().unwrap_or(field);
    if KEEP.contains(&last) {
        return field.to_owned();
    }
    if let Some(stem) = field.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = field.strip_suffix("ses") {
        if stem.ends_with("s") {
            return format!("{stem}s");
        }
    }
    match field.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.ends_with('u') && !stem.ends_with('i') => {
            stem.to_owned()
        }
        _ => field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal("return-advance"), "ReturnAdvance");
        assert_eq!(pascal("REFUND_TICKET"), "RefundTicket");
        assert_eq!(pascal("APPLYMENT_STATE.APPROVED"), "ApplymentStateApproved");
        assert_eq!(pascal("weChat"), "WeChat");
        assert_eq!(snake("payAuthNo"), "pay_auth_no");
        assert_eq!(snake("payer _currency"), "payer_currency");
        assert_eq!(snake("mch_archives"), "mch_archives");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("self"), "self_");
        assert_eq!(
            pascal_words("QueryReturnAdvance"),
            ["Query", "Return", "Advance"]
        );
        assert_eq!(singular("receivers"), "receiver");
        assert_eq!(singular("receiver_list"), "receiver");
        assert_eq!(singular("goods"), "goods");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("data"), "data");
    }
}
