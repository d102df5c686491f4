//! Integration tests live in tests/*.rs of this crate.
