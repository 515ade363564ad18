//! Pure contest logic: no I/O, no clock, no global RNG. Everything here is
//! tested with fixed values next to the code.

pub mod account_import;
pub mod attempt;
pub mod audit;
pub mod bank;
pub mod contact;
pub mod contest;
pub mod correction;
pub mod flags;
pub mod formats;
pub mod grading;
pub mod items;
pub mod numbers;
pub mod paper;
pub mod paper_view;
pub mod people;
pub mod prizes;
pub mod ranking;
pub mod resident;
pub mod reveal;
pub mod rollup;
pub mod round;
pub mod text;
pub mod time;
pub mod timing;
pub mod units;
