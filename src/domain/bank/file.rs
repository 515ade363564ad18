//! hoithi's own bank format: a `[bank]` table and `[[question]]` tables.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::*;
use crate::domain::text::nfc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    bank: RawMeta,
    #[serde(default)]
    question: Vec<toml::Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    slug: String,
    title: String,
    topic: String,
    #[serde(default)]
    replaced_documents: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    key: Option<String>,
    kind: Option<String>,
    difficulty: Option<String>,
    text: Option<String>,
    #[serde(default)]
    options: Vec<String>,
    answer: Option<RawAnswer>,
    explanation: Option<String>,
    source: Option<String>,
    #[serde(default)]
    fixed_order: bool,
    as_of: Option<toml::Value>,
    group: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawAnswer {
    One(String),
    Many(Vec<String>),
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Parses and checks one bank file. Returns the bank when it has no errors,
/// and every problem found (warnings included) either way.
pub fn parse_toml(file: &str, text: &str) -> (Option<Bank>, Vec<Problem>) {
    let mut problems = Vec::new();
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            problems.push(Problem {
                severity: Severity::Error,
                file: file.to_string(),
                line,
                key: None,
                message: format!("TOML không hợp lệ: {}", e.message()),
            });
            return (None, problems);
        }
    };
    let meta = BankMeta {
        slug: raw.bank.slug.trim().to_string(),
        title: nfc(raw.bank.title.trim()),
        topic: raw.bank.topic.trim().to_string(),
        replaced_documents: raw.bank.replaced_documents.iter().map(|d| nfc(d.trim())).collect(),
    };
    let drafts: Vec<Draft> = raw
        .question
        .into_iter()
        .map(|spanned| {
            let line = line_of(text, spanned.span().start);
            let q = spanned.into_inner();
            Draft {
                line,
                key: q.key,
                kind: q.kind,
                difficulty: q.difficulty,
                text: q.text,
                options: q.options,
                answer: q.answer.map(|a| match a {
                    RawAnswer::One(s) => vec![s],
                    RawAnswer::Many(v) => v,
                }),
                explanation: q.explanation,
                source: q.source,
                fixed_order: q.fixed_order,
                as_of: toml_date(q.as_of.as_ref()),
                group: q.group,
            }
        })
        .collect();
    check_drafts(file, meta, drafts, Strictness::Strict, problems)
}

fn toml_date(v: Option<&toml::Value>) -> Result<Option<NaiveDate>, String> {
    match v {
        None => Ok(None),
        Some(toml::Value::Datetime(dt)) => match (dt.date, dt.time) {
            (Some(d), None) => Ok(NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))),
            _ => Err("as_of phải là một ngày, ví dụ 2020-12-31".into()),
        },
        Some(toml::Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("as_of \"{s}\" không phải ngày dạng YYYY-MM-DD")),
        Some(_) => Err("as_of phải là một ngày, ví dụ 2020-12-31".into()),
    }
}

/// Writes a bank in hoithi's own TOML format (what `parse_toml` reads back).
pub fn write_toml(bank: &Bank) -> Result<String, String> {
    #[derive(Serialize)]
    struct Meta<'a> {
        slug: &'a str,
        title: &'a str,
        topic: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        replaced_documents: &'a [String],
    }
    #[derive(Serialize)]
    struct Q<'a> {
        key: &'a str,
        kind: &'a str,
        difficulty: &'a str,
        text: &'a str,
        options: &'a [String],
        answer: toml::Value,
        explanation: &'a str,
        source: &'a str,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        fixed_order: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        as_of: Option<toml::value::Datetime>,
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct File<'a> {
        bank: Meta<'a>,
        question: Vec<Q<'a>>,
    }
    let letters = |q: &Question| -> Vec<toml::Value> {
        q.answer.iter().map(|&i| toml::Value::String(letter(i).to_string())).collect()
    };
    let file = File {
        bank: Meta {
            slug: &bank.meta.slug,
            title: &bank.meta.title,
            topic: &bank.meta.topic,
            replaced_documents: &bank.meta.replaced_documents,
        },
        question: bank
            .questions
            .iter()
            .map(|q| Q {
                key: &q.key,
                kind: q.kind.as_str(),
                difficulty: q.difficulty.as_str(),
                text: &q.text,
                options: &q.options,
                answer: match (q.kind, letters(q)) {
                    (Kind::Multiple, l) => toml::Value::Array(l),
                    (_, mut l) => l.pop().unwrap_or_else(|| toml::Value::String(String::new())),
                },
                explanation: &q.explanation,
                source: &q.source,
                fixed_order: q.fixed_order,
                as_of: q.as_of.and_then(|d| d.to_string().parse().ok()),
                group: q.group.as_deref(),
            })
            .collect(),
    };
    toml::to_string(&file).map_err(|e| e.to_string())
}
