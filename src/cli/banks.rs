//! `banks check|stats|import|export`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::Connection;

use crate::configuration::Settings;
use crate::db::audit::Actor;
use crate::db::banks;
use crate::domain::bank::{
    Bank, BankMeta, Problem, Severity, Stats, check_letter_balance, check_slugs, has_errors, write_toml,
};
use crate::domain::formats;

use super::{INPUT_ERRORS, OK, open_db};

/// Expands directories to their `.toml` files (sorted); files stay as given.
pub fn bank_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("{}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads one bank file of any supported format, chosen by its extension
/// (see [`formats::parse_bank`]), under the budget of the settings. The
/// command is its own process, so it parses in place: the server, which
/// must outlive any file, parses in a capped child (see [`crate::sandbox`]).
pub fn read_bank_file(file: &Path, bank: Option<&BankMeta>) -> (Option<Bank>, Vec<Problem>) {
    let name = file.display().to_string();
    let budget = Settings::load().map(|s| s.limits.bank).unwrap_or_default();
    let req = formats::ReadRequest { budget, ..formats::ReadRequest::new(&name, bank) };
    match std::fs::read(file) {
        Ok(bytes) => {
            let parsed = formats::parse_bank(&req, &bytes);
            if parsed.skipped > 0 {
                eprintln!("{name}: bỏ qua {} câu hỏi không nhập được (xem các cảnh báo \"bị bỏ qua\")", parsed.skipped);
            }
            (parsed.bank, parsed.problems)
        }
        Err(e) => (
            None,
            vec![Problem {
                severity: Severity::Error,
                file: name,
                line: None,
                key: None,
                message: format!("không đọc được tệp: {e}"),
            }],
        ),
    }
}

/// The identity `--bank SLUG` gives: the stored bank's, or a new one titled by its slug.
pub fn bank_meta_for(settings: Option<&Settings>, slug: &str) -> anyhow::Result<BankMeta> {
    if let Some(settings) = settings {
        let db = open_db(settings)?;
        let mut conn = db.reader()?;
        if let Some(b) = banks::find_bank(&mut conn, slug)? {
            return Ok(BankMeta {
                replaced_documents: serde_json::from_str(&b.replaced_documents).unwrap_or_default(),
                slug: b.slug,
                title: b.title,
                topic: b.topic,
            });
        }
    }
    Ok(BankMeta {
        slug: slug.to_string(),
        title: slug.to_string(),
        topic: slug.to_string(),
        replaced_documents: Vec::new(),
    })
}

/// Parses and checks bank files; returns the good banks and every problem.
pub fn check_bank_files(paths: &[PathBuf], bank: Option<&BankMeta>) -> anyhow::Result<(Vec<Bank>, Vec<Problem>)> {
    let mut parsed: Vec<(String, Bank)> = Vec::new();
    let mut problems = Vec::new();
    if let Some(meta) = bank
        && !crate::domain::bank::is_slug(&meta.slug)
    {
        problems.push(Problem {
            severity: Severity::Error,
            file: "--bank".into(),
            line: None,
            key: None,
            message: format!("mã ngân hàng \"{}\" chỉ gồm chữ thường a–z, chữ số và dấu '-'", meta.slug),
        });
        return Ok((Vec::new(), problems));
    }
    for file in bank_files(paths)? {
        let (b, mut ps) = read_bank_file(&file, bank);
        for p in ps.iter_mut().filter(|p| p.message.contains("không ghi ngân hàng nào")) {
            p.message.push_str(" (--bank MÃ)");
        }
        problems.extend(ps);
        if let Some(b) = b {
            parsed.push((file.display().to_string(), b));
        }
    }
    problems.extend(check_slugs(parsed.iter().map(|(n, b)| (n.as_str(), b))));
    for (name, b) in &parsed {
        problems.extend(check_letter_balance(name, b));
    }
    Ok((parsed.into_iter().map(|(_, b)| b).collect(), problems))
}

pub(super) fn print_problems(problems: &[Problem]) {
    for p in problems {
        println!("{p}");
    }
}

/// `hoithi banks check [PATH…] [--bank SLUG] [--strict]`: non-zero on an
/// error, and with `--strict` on a warning too.
pub fn banks_check(paths: &[PathBuf], bank: Option<&str>, strict: bool) -> anyhow::Result<i32> {
    let meta = bank.map(|b| bank_meta_for(None, b)).transpose()?;
    let (banks, problems) = check_bank_files(paths, meta.as_ref())?;
    print_problems(&problems);
    for b in &banks {
        let count = |d| b.questions.iter().filter(|q| q.difficulty == d).count();
        use crate::domain::bank::Difficulty::*;
        println!(
            "{}: {} câu hỏi (dễ {}, trung bình {}, khó {})",
            b.meta.slug,
            b.questions.len(),
            count(Easy),
            count(Medium),
            count(Hard)
        );
    }
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    println!("{errors} lỗi, {warnings} cảnh báo");
    Ok(if errors > 0 || (strict && warnings > 0) { INPUT_ERRORS } else { OK })
}

/// `hoithi banks stats [PATH…]`: per bank, counts by difficulty, kind and
/// answer letter. A file that names no bank is counted under its file name.
pub fn banks_stats(paths: &[PathBuf]) -> anyhow::Result<i32> {
    let mut banks = Vec::new();
    let mut problems = Vec::new();
    for file in bank_files(paths)? {
        let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let (mut b, mut ps) = read_bank_file(&file, None);
        if b.is_none() && ps.iter().any(|p| p.message.contains("không ghi ngân hàng nào")) {
            let meta =
                BankMeta { slug: stem.clone(), title: stem.clone(), topic: stem, replaced_documents: Vec::new() };
            (b, ps) = read_bank_file(&file, Some(&meta));
        }
        problems.extend(ps);
        banks.extend(b);
    }
    print_problems(&problems.iter().filter(|p| p.severity == Severity::Error).cloned().collect::<Vec<_>>());
    for b in &banks {
        let s = Stats::of(b);
        let letters: usize = s.letters.iter().sum();
        let pct = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 * 100.0 / of as f64 };
        println!("{} — {} ({} câu)", b.meta.slug, b.meta.title, b.questions.len());
        println!(
            "  mức độ:  dễ {} ({:.0}%), trung bình {} ({:.0}%), khó {} ({:.0}%)",
            s.difficulty[0],
            pct(s.difficulty[0], b.questions.len()),
            s.difficulty[1],
            pct(s.difficulty[1], b.questions.len()),
            s.difficulty[2],
            pct(s.difficulty[2], b.questions.len())
        );
        println!("  loại:    một lựa chọn {}, nhiều lựa chọn {}, đúng/sai {}", s.kind[0], s.kind[1], s.kind[2]);
        let row: Vec<String> = s
            .letters
            .iter()
            .enumerate()
            .filter(|(i, n)| **n > 0 || *i < 4)
            .map(|(i, n)| format!("{} {} ({:.0}%)", crate::domain::bank::letter(i), n, pct(*n, letters)))
            .collect();
        println!("  đáp án:  {} — trên {letters} câu một đáp án", row.join(", "));
    }
    Ok(if has_errors(&problems) { INPUT_ERRORS } else { OK })
}

/// How `banks import` treats questions a file no longer holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportChoice {
    /// `--merge`: add and update only.
    pub merge: bool,
    /// `--confirm-retire`: retire many questions (see `ImportPlan::needs_confirmation`).
    pub confirm_retire: bool,
}

/// `hoithi banks import [PATH…] [--bank SLUG] [--merge] [--confirm-retire]`:
/// all files in one transaction, or none. Without `--merge` a file is the
/// bank's whole content: questions missing from it are retired, and
/// retiring many needs `--confirm-retire`.
pub fn banks_import(
    settings: &Settings,
    paths: &[PathBuf],
    bank: Option<&str>,
    choice: ImportChoice,
) -> anyhow::Result<i32> {
    let meta = bank.map(|b| bank_meta_for(Some(settings), b)).transpose()?;
    let (banks, problems) = check_bank_files(paths, meta.as_ref())?;
    print_problems(&problems);
    if has_errors(&problems) {
        println!("Không nhập gì: hãy sửa các lỗi trên.");
        return Ok(INPUT_ERRORS);
    }
    let db = open_db(settings)?;
    let mut conn = db.writer()?;
    let mode = if choice.merge { banks::ImportMode::Merge } else { banks::ImportMode::Replace };
    let plans =
        banks.iter().map(|b| banks::plan_import(&mut conn, b, mode)).collect::<diesel::QueryResult<Vec<_>>>()?;
    let unconfirmed: Vec<_> = plans.iter().filter(|p| p.needs_confirmation()).collect();
    if !unconfirmed.is_empty() && !choice.confirm_retire {
        for p in unconfirmed {
            println!("{}: tệp làm ngừng dùng {} trên {} câu đang dùng:", p.slug, p.retired.len(), p.active_before);
            for q in p.retired.iter().take(20) {
                println!("  {} {}", q.key, q.text);
            }
        }
        println!(
            "Không nhập gì: thêm --confirm-retire để đồng ý ngừng dùng các câu trên, \
             hoặc --merge để chỉ thêm và cập nhật câu trong tệp."
        );
        return Ok(INPUT_ERRORS);
    }
    let reports = conn.transaction(|c| {
        banks.iter().map(|b| banks::import_bank_in(c, b, &Actor::cli(), mode)).collect::<diesel::QueryResult<Vec<_>>>()
    })?;
    for r in reports {
        println!("{r}");
    }
    Ok(OK)
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Excel, in the layout Vietnamese organizers use.
    Xlsx,
    /// The same layout as CSV (UTF-8).
    Csv,
    /// Moodle's GIFT.
    Gift,
    /// hoithi's own format.
    Toml,
}

/// `hoithi banks export BANK --format F [-o FILE]`: the bank's active questions.
pub fn banks_export(
    settings: &Settings,
    slug: &str,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let db = open_db(settings)?;
    let mut conn = db.reader()?;
    let Some(bank) = banks::load_bank(&mut conn, slug)? else {
        eprintln!("Không có ngân hàng \"{slug}\".");
        return Ok(INPUT_ERRORS);
    };
    let bytes = match format {
        ExportFormat::Xlsx => formats::sheet::write_xlsx(&bank).map_err(|e| anyhow::anyhow!(e))?,
        ExportFormat::Csv => formats::sheet::write_csv(&bank),
        ExportFormat::Gift => formats::gift::write(&bank).into_bytes(),
        ExportFormat::Toml => write_toml(&bank).map_err(|e| anyhow::anyhow!(e))?.into_bytes(),
    };
    match output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| path.display().to_string())?;
            eprintln!("Đã xuất {} câu hỏi vào {}", bank.questions.len(), path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(OK)
}
