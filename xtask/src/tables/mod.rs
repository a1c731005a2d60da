//! The hand-kept decisions of the generator: which cargo feature each
//! top-level area belongs to, and the few names and orders the catalog
//! cannot give. Everything else comes from the catalog.

mod answers;
mod corrections;
mod features;
mod merchant;
mod names;
mod overrides;
mod v2;

pub use answers::*;
pub use corrections::*;
pub use features::*;
pub use merchant::*;
pub use names::*;
pub use overrides::*;
pub use v2::*;
