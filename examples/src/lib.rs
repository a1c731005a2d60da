//! Examples live beside this file; see `cargo run --example quickstart`.

/// The Rust code of the sandbox's README (`wxpay-sandbox/README.md`),
/// compiled and run as doc tests here, where the sandbox is a
/// dev-dependency: `cargo test -p wxpay-examples --doc`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-sandbox/README.md")]
pub struct SandboxReadme;

/// The guides under `docs/guides/`: (file stem, English text, Chinese text).
/// Their Rust code is compiled (and run, where it needs no files of the
/// reader's) as doc tests of the English text; the Chinese text must carry
/// the same code (`translations` below).
#[cfg(test)]
const GUIDES: [(&str, &str, &str); 4] = [
    (
        "public-key-switch",
        include_str!("../../docs/guides/public-key-switch.md"),
        include_str!("../../docs/guides/public-key-switch.zh-CN.md"),
    ),
    (
        "coming-from-other-sdks",
        include_str!("../../docs/guides/coming-from-other-sdks.md"),
        include_str!("../../docs/guides/coming-from-other-sdks.zh-CN.md"),
    ),
    (
        "callbacks-behind-gateways",
        include_str!("../../docs/guides/callbacks-behind-gateways.md"),
        include_str!("../../docs/guides/callbacks-behind-gateways.zh-CN.md"),
    ),
    (
        "sandbox-from-any-language",
        include_str!("../../docs/guides/sandbox-from-any-language.md"),
        include_str!("../../docs/guides/sandbox-from-any-language.zh-CN.md"),
    ),
];

/// The guides' Rust code as doc tests: `cargo test -p wxpay-examples --doc`.
#[cfg(doctest)]
pub mod guides {
    #[doc = include_str!("../../docs/guides/public-key-switch.md")]
    pub struct PublicKeySwitch;
    #[doc = include_str!("../../docs/guides/coming-from-other-sdks.md")]
    pub struct ComingFromOtherSdks;
    #[doc = include_str!("../../docs/guides/callbacks-behind-gateways.md")]
    pub struct CallbacksBehindGateways;
    #[doc = include_str!("../../docs/guides/sandbox-from-any-language.md")]
    pub struct SandboxFromAnyLanguage;
}

#[cfg(test)]
mod translations {
    use super::GUIDES;

    /// The Rust blocks of a guide, comments dropped (they are translated),
    /// blank lines and trailing spaces ignored.
    fn rust_code(text: &str) -> Vec<Vec<String>> {
        let mut blocks = Vec::new();
        let mut current: Option<Vec<String>> = None;
        for line in text.lines() {
            let fence = line.trim_start();
            match &mut current {
                None if fence.starts_with("```rust") => current = Some(Vec::new()),
                Some(_) if fence.starts_with("```") => blocks.extend(current.take()),
                Some(block) => {
                    let code = line.split("//").next().unwrap_or_default().trim_end();
                    if !code.trim().is_empty() {
                        block.push(code.to_owned());
                    }
                }
                None => {}
            }
        }
        blocks
    }

    #[test]
    fn each_chinese_guide_carries_the_english_code() {
        for (name, english, chinese) in GUIDES {
            let code = rust_code(english);
            assert!(!code.is_empty(), "{name}.md has no Rust code");
            assert_eq!(
                rust_code(chinese),
                code,
                "{name}.zh-CN.md must carry the code of {name}.md (only comments are translated)"
            );
        }
    }

    #[test]
    fn each_guide_links_its_translation() {
        for (name, english, chinese) in GUIDES {
            assert!(
                english.contains(&format!("]({name}.zh-CN.md)")),
                "{name}.md"
            );
            assert!(
                chinese.contains(&format!("]({name}.md)")),
                "{name}.zh-CN.md"
            );
        }
    }
}
