//! "Did you mean": the known name nearest to a misspelt one, and the way a
//! type is written back to the user in a help line.

use quote::ToTokens;

/// The candidate nearest to `given` that is close enough to be a typo (at
/// most a third of its letters edited, and at least one kept), if any.
pub(crate) fn closest<'c>(
    given: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let length = given.chars().count();
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(given, candidate), candidate))
        .filter(|(d, candidate)| {
            let longest = length.max(candidate.chars().count());
            *d > 0 && *d <= longest.max(3) / 3 && *d < longest
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// `"; did you mean `x`?"` for the nearest candidate, or nothing.
pub(crate) fn did_you_mean<'c>(
    given: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> String {
    closest(given, candidates)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

/// Edit distance over characters: insertions, deletions, substitutions and
/// transpositions of neighbours (`POTS` is one edit from `POST`) each count one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: the distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// A type as a person writes it (`Option<&'a str>`), not as tokens are
/// printed (`Option < & 'a str >`).
pub(crate) fn type_text(ty: &impl ToTokens) -> String {
    let mut text = ty.to_token_stream().to_string();
    for (spaced, tight) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (" ::", "::"),
        (":: ", "::"),
        ("& ", "&"),
        ("[ ", "["),
        (" ]", "]"),
        ("( ", "("),
        (" )", ")"),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}

/// The type a sensitive field of type `ty` should have: `Sensitive<T>`, or
/// `Option<Sensitive<T>>` for an `Option<T>`.
pub(crate) fn sensitive_form(ty: &syn::Type) -> String {
    match option_inner(ty) {
        Some(inner) => format!("Option<Sensitive<{}>>", type_text(inner)),
        None => format!("Sensitive<{}>", type_text(ty)),
    }
}

/// `T` of a type written `Option<T>` (any path ending in `Option`).
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
            match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) => Some(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether the type names `Sensitive` anywhere (`Sensitive<&'a str>`,
/// `Option<Sensitive<String>>`, `wxpay_core::sensitive::Sensitive<..>`).
pub(crate) fn mentions_sensitive(ty: &syn::Type) -> bool {
    fn walk(tokens: proc_macro2::TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "Sensitive",
            proc_macro2::TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(ty.to_token_stream())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("refund_id", "refund_id"), 0);
        assert_eq!(edit_distance("refundid", "refund_id"), 1);
        assert_eq!(
            edit_distance("refund_di", "refund_id"),
            1,
            "a transposition"
        );
        assert_eq!(edit_distance("POTS", "POST"), 1);
        assert_eq!(edit_distance("", "id"), 2);
        assert_eq!(edit_distance("sub_mchid", "refund_id"), 7);
    }

    #[test]
    fn closest_finds_typos_only() {
        let keys = ["response", "sign_type", "certificate"];
        assert_eq!(closest("respose", keys), Some("response"));
        assert_eq!(closest("responses", keys), Some("response"));
        assert_eq!(closest("sign_typ", keys), Some("sign_type"));
        assert_eq!(closest("foo", keys), None);
        assert_eq!(closest("response", keys), None, "not a typo");
        assert_eq!(closest("quer", ["query", "body"]), Some("query"));
        assert_eq!(closest("POTS", ["GET", "POST", "PUT"]), Some("POST"));
    }

    #[test]
    fn types_read_as_written() {
        let ty: syn::Type = syn::parse_quote!(Option<&'a str>);
        assert_eq!(type_text(&ty), "Option<&'a str>");
        assert_eq!(sensitive_form(&ty), "Option<Sensitive<&'a str>>");
        let ty: syn::Type = syn::parse_quote!(std::borrow::Cow<'a, str>);
        assert_eq!(sensitive_form(&ty), "Sensitive<std::borrow::Cow<'a, str>>");
        let ty: syn::Type = syn::parse_quote!(Vec<Option<Sensitive<String>>>);
        assert!(mentions_sensitive(&ty));
    }
}
