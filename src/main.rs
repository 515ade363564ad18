//! The `hoithi` binary: serves by default; operator commands otherwise.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hoithi::cli;
use hoithi::configuration::Settings;
use hoithi::startup::Application;

#[derive(Parser)]
#[command(name = "hoithi", version, about = "Máy chủ cuộc thi tìm hiểu trực tuyến / online learning-contest server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Question banks.
    Banks {
        #[command(subcommand)]
        action: BanksAction,
    },
    /// Units.
    Units {
        #[command(subcommand)]
        action: UnitsAction,
    },
    /// Accounts.
    Users {
        #[command(subcommand)]
        action: UsersAction,
    },
    /// Copy the live SQLite database to FILE.
    Backup {
        /// Where to write the copy (must not exist).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum BanksAction {
    /// Validate bank files (.toml, .xlsx, .csv, .gift, Aiken .txt); exits non-zero on any error.
    Check {
        /// Files or directories (default: question_banks/).
        paths: Vec<PathBuf>,
        /// The bank, for formats that name none.
        #[arg(long)]
        bank: Option<String>,
        /// Exit non-zero on warnings too (a missing source or explanation, …).
        #[arg(long)]
        strict: bool,
    },
    /// Counts per bank: difficulty, kind, answer letter.
    Stats {
        /// Files or directories (default: question_banks/).
        paths: Vec<PathBuf>,
    },
    /// Questions that give each other away: longest-option share, keys in other stems, near-duplicates, groups to add.
    Lint {
        /// Files or directories (default: question_banks/).
        paths: Vec<PathBuf>,
    },
    /// Validate, then load in one transaction (a file is the bank's whole content).
    Import {
        /// Files or directories (default: question_banks/).
        paths: Vec<PathBuf>,
        /// The bank, for formats that name none (created when it does not exist).
        #[arg(long)]
        bank: Option<String>,
        /// Add and update the file's questions, retiring none of the others.
        #[arg(long)]
        merge: bool,
        /// Agree to retire many questions (more than 5, or a tenth of a bank).
        #[arg(long)]
        confirm_retire: bool,
    },
    /// Write a bank's active questions.
    Export {
        /// The bank's slug.
        bank: String,
        /// xlsx, csv, gift or toml.
        #[arg(long, value_enum)]
        format: cli::ExportFormat,
        /// The file (standard output without it).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UnitsAction {
    /// Load a units CSV (code,name,kind,parent_code,staff_count, optionally population and kind_label).
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum UsersAction {
    /// Create accounts from a CSV (username,full_name,role,unit_code,password).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Where generated passwords go (default: FILE-mat-khau.csv beside it).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

fn default_banks(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() { vec![PathBuf::from("question_banks")] } else { paths }
}

fn main() -> ExitCode {
    // The capped child process that parses one bank file (src/sandbox.rs).
    if std::env::args().nth(1).as_deref() == Some(hoithi::sandbox::CHILD_COMMAND) {
        return hoithi::sandbox::child_main();
    }
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Cấu hình không hợp lệ / invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    hoithi::telemetry::init_tracing(&settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Banks { action: BanksAction::Check { paths, bank, strict } } => {
            cli::banks_check(&default_banks(paths), bank.as_deref(), strict)
        }
        Command::Banks { action: BanksAction::Stats { paths } } => cli::banks_stats(&default_banks(paths)),
        Command::Banks { action: BanksAction::Lint { paths } } => cli::banks_lint(&default_banks(paths)),
        Command::Banks { action: BanksAction::Import { paths, bank, merge, confirm_retire } } => {
            let choice = cli::ImportChoice { merge, confirm_retire };
            cli::banks_import(&settings, &default_banks(paths), bank.as_deref(), choice)
        }
        Command::Banks { action: BanksAction::Export { bank, format, output } } => {
            cli::banks_export(&settings, &bank, format, output.as_deref())
        }
        Command::Units { action: UnitsAction::Import { file } } => cli::units_import(&settings, &file),
        Command::Users { action: UsersAction::Import { file, output } } => {
            cli::users_import(&settings, &file, output.as_deref())
        }
        Command::Backup { file } => cli::backup(&settings, &file),
    };
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("Lỗi / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<i32> {
    actix_web::rt::System::new().block_on(async move {
        let public = settings.public_url.clone();
        let app = Application::build(settings).await?;
        println!("hoithi đang chạy tại / is serving at {public} (port {})", app.port());
        app.run_until_stopped().await?;
        Ok(0)
    })
}
