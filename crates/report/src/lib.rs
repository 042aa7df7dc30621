//! reel's job report: one self-contained HTML page that shows what a job did and
//! plays its output. Everything it needs (styles, scripts, plots, thumbnails) is
//! inlined, so the page works offline and from any object store; the player reads
//! the HLS master playlist beside it by a relative URL.
//!
//! The caller gathers the facts ([`Report`]), renders the plots to SVG and the
//! shot thumbnails to JPEG ([`thumbnail`]); [`render`] writes the page.

mod error;
mod html;
mod page;
pub mod thumbnail;

pub use error::{Error, Result};
pub use page::{render, Report, RungRow, Shot, Validation};
