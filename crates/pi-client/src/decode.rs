//! Decoding an answer exactly as the client does, for code that fetches
//! with an HTTP client of its own, and for the fuzz targets.

pub use crate::request::answer::decode_response;
