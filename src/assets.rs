//! Files compiled into the binary, so one executable runs anywhere:
//! templates, static files, the shipped question banks and units.

use rust_embed::Embed;

/// Handlebars templates (`templates/*.hbs`).
#[derive(Embed)]
#[folder = "templates/"]
#[include = "*.hbs"]
pub struct Templates;

/// CSS and JavaScript served under `/static/`.
#[derive(Embed)]
#[folder = "static/"]
pub struct Static;

/// The shipped question banks (`question_banks/*.toml`).
#[derive(Embed)]
#[folder = "question_banks/"]
#[include = "*.toml"]
pub struct ShippedBanks;

/// The shipped unit list (`units/*.csv`).
#[derive(Embed)]
#[folder = "units/"]
#[include = "*.csv"]
pub struct ShippedUnits;
