//! Bank files are parsed in a child process of the same binary, capped in
//! memory and killed at a wall-clock deadline: a file nobody checked cannot
//! take the server down, and a runaway parse cannot outlive its budget (a
//! thread could not be stopped). The readers bound themselves too (see
//! [`Budget`]); the caps here catch what a reader cannot see, such as a
//! zip entry that lies about its size.
//!
//! The parent writes one JSON line (the [`ReadRequest`]) and then the file's
//! bytes to the child's stdin; the child answers one JSON document
//! ([`Parsed`]) on stdout. The child sets its own limits before reading.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::domain::bank::{Problem, Severity};
use crate::domain::formats::{Bound, Budget, Parsed, ReadRequest, parse_bank};

/// The hidden subcommand the child runs.
pub const CHILD_COMMAND: &str = "parse-bank-file";

/// Where the parsing binary is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sandbox {
    exe: PathBuf,
}

impl Sandbox {
    /// The running binary, or `exe` when given (tests run the server inside
    /// a test harness and name the `hoithi` binary instead).
    pub fn new(exe: Option<&Path>) -> Self {
        let exe = exe.map(Path::to_path_buf).or_else(|| std::env::current_exe().ok());
        Self { exe: exe.unwrap_or_else(|| PathBuf::from("hoithi")) }
    }

    /// Parses a bank file in a child process (blocking: call it off the
    /// async workers). A child that runs out of memory or time, or fails,
    /// gives one error that says which.
    pub fn parse(&self, req: &ReadRequest, bytes: &[u8]) -> Parsed {
        match self.run(req, bytes) {
            Ok(parsed) => parsed,
            Err(message) => Parsed { problems: vec![error(&req.name, message)], ..Parsed::default() },
        }
    }

    fn run(&self, req: &ReadRequest, bytes: &[u8]) -> Result<Parsed, String> {
        let budget = &req.budget;
        let mut child = Command::new(&self.exe)
            .arg(CHILD_COMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env_clear()
            .spawn()
            .map_err(|e| {
                tracing::error!(exe = %self.exe.display(), error = %e, "cannot start the bank parser");
                "máy chủ không khởi động được bộ đọc tệp; hãy báo quản trị viên".to_string()
            })?;
        let deadline = Instant::now() + Duration::from_secs(budget.seconds.max(1));
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        let header = serde_json::to_vec(req).map_err(|e| e.to_string())?;
        let input = [header.as_slice(), b"\n", bytes].concat();
        // A writer and a reader thread, so that neither pipe can block the
        // wait below, which owns the deadline.
        let writer = std::thread::spawn(move || {
            // A child that died early closes its stdin: its exit status says why.
            let _ = stdin.write_all(&input);
        });
        let mut stdout = child.stdout.take().ok_or("no stdout")?;
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            stdout.read_to_end(&mut out).map(|_| out)
        });
        let status = loop {
            match child.try_wait().map_err(|e| e.to_string())? {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(budget.refusal(Bound::Seconds));
                }
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        };
        let _ = writer.join();
        let out = reader.join().map_err(|_| "reader thread panicked")?.map_err(|e| e.to_string())?;
        if status.success() {
            return serde_json::from_slice(&out).map_err(|e| {
                tracing::error!(error = %e, "the bank parser answered something unreadable");
                "bộ đọc tệp trả lời không đọc được; hãy báo quản trị viên".to_string()
            });
        }
        Err(failure(budget, &status))
    }
}

/// Why a child that did not succeed stopped.
fn failure(budget: &Budget, status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        // An allocation beyond the address-space limit aborts; the CPU
        // limit sends SIGXCPU.
        const SIGABRT: i32 = 6;
        const SIGKILL: i32 = 9;
        const SIGSEGV: i32 = 11;
        const SIGXCPU: i32 = 24;
        match status.signal() {
            Some(SIGABRT | SIGSEGV) => return budget.refusal(Bound::Memory),
            Some(SIGXCPU | SIGKILL) => return budget.refusal(Bound::Seconds),
            _ => {}
        }
    }
    tracing::error!(%status, "the bank parser failed");
    "tệp không đọc được (bộ đọc tệp dừng bất thường); hãy kiểm tra lại tệp".to_string()
}

fn error(file: &str, message: String) -> Problem {
    Problem { severity: Severity::Error, file: file.to_string(), line: None, key: None, message }
}

/// The child: caps itself, reads a request and a file from stdin, parses,
/// answers on stdout.
pub fn child_main() -> ExitCode {
    let mut input = Vec::new();
    // The request comes first, small: limits are set from it before the file is read.
    let mut stdin = std::io::stdin().lock();
    let mut byte = [0u8; 1];
    while stdin.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
        input.push(byte[0]);
        if input.len() > 64 * 1024 {
            return ExitCode::from(2);
        }
    }
    let Ok(req) = serde_json::from_slice::<ReadRequest>(&input) else { return ExitCode::from(2) };
    cap_self(&req.budget);
    let mut bytes = Vec::new();
    if let Err(e) = stdin.read_to_end(&mut bytes) {
        // Reading reserves memory fallibly: out of memory is the memory bound, as an abort is.
        if e.kind() == std::io::ErrorKind::OutOfMemory {
            std::process::abort();
        }
        return ExitCode::from(2);
    }
    let parsed = parse_bank(&req, &bytes);
    drop(bytes);
    let out = std::io::stdout().lock();
    match serde_json::to_writer(out, &parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.io_error_kind() == Some(std::io::ErrorKind::OutOfMemory) => std::process::abort(),
        Err(_) => ExitCode::from(2),
    }
}

/// The address-space and CPU limits of the calling process.
fn cap_self(budget: &Budget) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let bytes = budget.memory_mib.saturating_mul(1024 * 1024);
        let _ = setrlimit(Resource::As, Rlimit { current: Some(bytes), maximum: Some(bytes) });
        let cpu = budget.seconds.saturating_add(1);
        let _ = setrlimit(Resource::Cpu, Rlimit { current: Some(cpu), maximum: Some(cpu + 1) });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = budget;
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A stand-in parser: a shell script.
    fn script(dir: &Path, body: &str) -> Sandbox {
        let path = dir.join("parser.sh");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Sandbox::new(Some(&path))
    }

    fn request(seconds: u64) -> ReadRequest {
        ReadRequest { budget: Budget { seconds, ..Budget::default() }, ..ReadRequest::new("x.csv", None) }
    }

    #[test]
    fn a_parser_past_its_deadline_is_killed_and_the_message_names_the_time_bound() {
        let dir = tempfile::tempdir().unwrap();
        let parsed = script(dir.path(), "exec sleep 30").parse(&request(1), b"a");
        assert!(parsed.bank.is_none());
        assert!(parsed.problems[0].message.contains("HOITHI_BANK_PARSE_SECONDS"), "{:?}", parsed.problems);
    }

    #[test]
    fn a_parser_that_aborts_names_the_memory_bound() {
        let dir = tempfile::tempdir().unwrap();
        // What an allocation beyond the address-space limit does.
        let parsed = script(dir.path(), "cat > /dev/null; kill -ABRT $$").parse(&request(5), b"a");
        assert!(parsed.problems[0].message.contains("HOITHI_BANK_PARSE_MEMORY_MB"), "{:?}", parsed.problems);
    }

    #[test]
    fn a_parser_that_cannot_start_or_answers_garbage_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Sandbox::new(Some(&dir.path().join("none"))).parse(&request(5), b"a");
        assert!(missing.problems[0].message.contains("không khởi động được"), "{:?}", missing.problems);
        let garbage = script(dir.path(), "cat > /dev/null; echo rác").parse(&request(5), b"a");
        assert!(garbage.problems[0].message.contains("không đọc được"), "{:?}", garbage.problems);
        let failed = script(dir.path(), "cat > /dev/null; exit 3").parse(&request(5), b"a");
        assert!(failed.problems[0].message.contains("dừng bất thường"), "{:?}", failed.problems);
    }
}
