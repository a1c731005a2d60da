//! Integration tests of the wxpay workspace live in this crate's test
//! targets (`core`, `sandbox`, `ui`, `macro_pass`, `workspace`). This library
//! only compiles the examples of the published crates' READMEs, as doctests,
//! so the first code a crates.io reader sees builds.

/// `wxpay-macros/README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-macros/README.md")]
pub struct WxpayMacrosReadme;

/// `wxpay-core/README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-core/README.md")]
pub struct WxpayCoreReadme;

/// `wxpay-redis/README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-redis/README.md")]
pub struct WxpayRedisReadme;

/// `wxpay-apis/README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-apis/README.md")]
pub struct WxpayApisReadme;

/// `wxpay-sandbox/README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../wxpay-sandbox/README.md")]
pub struct WxpaySandboxReadme;

/// The workspace's `README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;

/// The workspace's `README.zh-CN.md`: the same code as `README.md`.
#[cfg(doctest)]
#[doc = include_str!("../../README.zh-CN.md")]
pub struct WorkspaceReadmeZhCn;
