//! Health Cyber Portal: the library behind the `portal` binary.

pub mod error;
pub mod search;
