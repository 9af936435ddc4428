//! synthgov-disclose: fixes what the storefront scanner finds. Pages and theme
//! templates are rewritten by splicing at the offsets the scanner's parse recorded
//! (template code untouched, see [`template`]) so that every element the scanner
//! recognises as synthetic carries `data-synthetic`, the asset hash and an accessible
//! disclosure with the disclosure widget, and product JSON-LD names
//! `digitalSourceType`.
//! Recognition is the scanner's own ([`synthgov_scan::storefront::recognize`]), so a
//! rescan of the output agrees. Nothing here prints; files are written only by
//! [`folder`], each to a temporary file renamed into place.

pub mod config;
pub mod folder;
pub mod image;
pub mod labels;
pub mod page;
pub mod signing;
pub mod template;
pub mod widget;
pub mod writeback;
pub mod xmp;

pub use config::DiscloseConfig;
pub use page::{Change, ChangeKind, DiscloseError, Rewritten, disclose_page};
