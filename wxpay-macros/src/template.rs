//! The path template: `v3/ecommerce/refunds/<refund_id>/return-advance`.
//!
//! Rules, each reported with the template and a fix (sub-spans inside a
//! string literal are not available on stable, so messages quote the part):
//! - no leading `/` (the client adds it), no `?` or `#` (query parameters are
//!   fields), no empty segment (`//`);
//! - one trailing `/` is allowed: some WeChat Pay endpoints are declared that
//!   way (`v3/applyment4sub/applyment/`) and the path is signed as written;
//! - a parameter is `<name>`, fills a whole segment, and `name` is a Rust
//!   identifier matching a field (`<type>` matches a field `r#type`);
//! - literal text is ASCII letters, digits and `-` `_` `.` `~`, never a `.` or
//!   `..` segment.

use syn::LitStr;

use crate::ctxt::Ctxt;

/// A piece of the path, in order.
pub(crate) enum Piece {
    /// Text written as is, `/` separators included.
    Literal(String),
    /// A `<name>` parameter.
    Param(String),
}

/// A parsed template. Pieces are best effort when errors were recorded.
pub(crate) struct Template {
    pub(crate) lit: LitStr,
    pub(crate) pieces: Vec<Piece>,
}

impl Template {
    pub(crate) fn parse(cx: &Ctxt, lit: LitStr) -> Template {
        let value = lit.value();
        let error = |message: String| cx.error(lit.span(), message);
        let mut pieces = Vec::new();
        let mut literal = String::new();

        if value.is_empty() {
            error(
                "the path template is empty\n\
                 help: write the path as in the WeChat Pay docs, without the leading `/`, \
                 e.g. \"v3/ecommerce/refunds/<refund_id>/return-advance\""
                    .to_owned(),
            );
        }
        let mut path = value.as_str();
        if let Some(rest) = path.strip_prefix('/') {
            error(format!(
                "the path template \"{value}\" starts with `/`\n\
                 help: drop the leading `/` and write \"{rest}\"; the client adds it"
            ));
            path = rest;
        }
        if let Some(at) = path.find(['?', '#']) {
            let fix = if path[at..].starts_with('?') {
                "query parameters are fields: on GET/DELETE every field not in the path \
                 goes to the query, elsewhere mark the field `#[wxpay(query)]`"
            } else {
                "a fragment is never sent to the server"
            };
            error(format!(
                "the path template \"{value}\" contains `{}`\n\
                 help: end the template before `{}`; {fix}",
                &path[at..=at],
                &path[at..=at]
            ));
            path = &path[..at];
        }

        let segments: Vec<&str> = path.split('/').collect();
        let last = segments.len() - 1;
        let mut reported_empty = false;
        for (index, segment) in segments.iter().enumerate() {
            if index > 0 {
                literal.push('/');
            }
            if segment.is_empty() {
                // `v3/applyment4sub/applyment/`: one trailing slash is part of the path.
                let trailing_slash = index == last && index > 0;
                if !trailing_slash && !reported_empty && !path.is_empty() {
                    reported_empty = true;
                    error(format!(
                        "the path template \"{value}\" has an empty segment (`//` or a \
                         doubled `/` at an end)\nhelp: remove the extra `/`"
                    ));
                }
                continue;
            }
            match parse_segment(segment) {
                Ok(Segment::Literal) => literal.push_str(segment),
                Ok(Segment::Param(name)) => {
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Param(name.to_owned()));
                }
                Err(message) => {
                    error(format!("in the path template \"{value}\": {message}"));
                    literal.push_str(segment);
                }
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Template { lit, pieces }
    }

    /// Stands in for a template that was not given (an error is recorded).
    pub(crate) fn missing() -> Template {
        Template {
            lit: LitStr::new("", proc_macro2::Span::call_site()),
            pieces: Vec::new(),
        }
    }

    /// The parameter names, in template order (duplicates kept).
    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Param(name) => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }
}

enum Segment<'a> {
    Literal,
    Param(&'a str),
}

fn parse_segment(segment: &str) -> Result<Segment<'_>, String> {
    if segment.contains(['{', '}']) {
        let name = segment.trim_matches(['{', '}']);
        return Err(format!(
            "`{segment}` uses braces\n\
             help: write path parameters in angle brackets: `<{name}>`"
        ));
    }
    if !segment.contains(['<', '>']) {
        if segment == "." || segment == ".." {
            return Err(format!(
                "`{segment}` is a dot segment, which changes the path it is part of\n\
                 help: write the path WeChat Pay documents, without `.` or `..` segments"
            ));
        }
        if let Some(bad) = segment.chars().find(|c| !is_literal_char(*c)) {
            return Err(format!(
                "segment `{segment}` contains {bad:?}, which is not allowed in a path template\n\
                 help: literal path text is ASCII letters, digits and `-` `_` `.` `~`; \
                 only parameter values are percent-encoded"
            ));
        }
        return Ok(Segment::Literal);
    }
    if !is_balanced(segment) {
        return Err(format!(
            "unbalanced `<` or `>` in segment `{segment}`\n\
             help: write a path parameter as `<name>`, alone between two `/`"
        ));
    }
    let Some(name) = segment
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .filter(|name| !name.contains(['<', '>']))
    else {
        let name = segment.split(['<', '>']).nth(1).unwrap_or_default();
        return Err(format!(
            "the path parameter `<{name}>` in segment `{segment}` does not fill the whole segment\n\
             help: a parameter is a whole segment: `.../<{name}>/...`; put any fixed \
             text in the field's value instead"
        ));
    };
    if name.is_empty() {
        return Err("`<>` has no parameter name\n\
             help: name it after its field, e.g. `<refund_id>`"
            .to_owned());
    }
    if !is_identifier(name) {
        let replaced: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let suggestion = if is_identifier(&replaced) {
            replaced
        } else {
            "refund_id".to_owned()
        };
        return Err(format!(
            "`<{name}>` is not a valid Rust identifier, so no field can match it\n\
             help: name the parameter after its field, e.g. `<{suggestion}>` \
             (letters, digits and `_`, not starting with a digit)"
        ));
    }
    Ok(Segment::Param(name))
}

fn is_balanced(segment: &str) -> bool {
    let mut open = false;
    for c in segment.chars() {
        match c {
            '<' if open => return false,
            '<' => open = true,
            '>' if !open => return false,
            '>' => open = false,
            _ => {}
        }
    }
    !open
}

pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && name != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// RFC 3986 unreserved characters: what literal template text may contain.
fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')
}
