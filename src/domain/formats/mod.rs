//! Question formats other than hoithi's own TOML: each parses into
//! [`Draft`](super::bank::Draft)s that `bank::check_drafts` then checks.

pub mod aiken;
pub mod gift;
pub mod sheet;
