//! hoithi: the contest server for Vietnamese provincial learning contests
//! ("cuộc thi tìm hiểu") on administrative reform, public-service culture and
//! one-stop procedures.
//!
//! Layers point down only: `routes` → `engine` → `db` → `domain` (see
//! `docs/ARCHITECTURE.md`).

#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod assets;
pub mod auth;
pub mod bootstrap;
pub mod charts;
pub mod cli;
pub mod clock;
pub mod configuration;
pub mod db;
pub mod domain;
pub mod engine;
pub mod error;
pub mod limits;
pub mod markdown;
pub mod routes;
pub mod sandbox;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
