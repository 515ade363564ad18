//! Settings: defaults, then an optional `hoithi.toml`, then the environment.
//!
//! One explicit struct passed down from `main`; nothing reads the environment
//! anywhere else.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Which database the URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: an embedded file (relative or absolute path).
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, passed to libpq as it is.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, SettingsError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(SettingsError::Invalid(
                    "DATABASE_URL: sqlite:// needs a file path, e.g. sqlite://data/hoithi.db".into(),
                ));
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_string()))
        } else {
            Err(SettingsError::Invalid(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
                redact_url(url)
            )))
        }
    }

    /// True for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// The URL with any password hidden, for logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(u) => redact_url(u),
        }
    }
}

/// Hides the password of a `scheme://user:password@host` URL.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// How SQLite commits: `NORMAL` survives a process crash, `FULL` also a power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    /// `synchronous=NORMAL` (default in WAL mode).
    Normal,
    /// `synchronous=FULL`: fsync on every commit.
    Full,
}

/// A value that must never reach a log or a `Debug` print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything hoithi needs to know to run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where the data lives.
    pub database: DatabaseUrl,
    /// The address to listen on; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// The data directory (SQLite file, generated secret key).
    pub data_dir: PathBuf,
    /// The address people use, for links and QR codes.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The one secret everything else is derived from; `None` until resolved.
    pub secret_key: Option<Secret>,
    /// The first admin's password; generated when absent.
    pub admin_password: Option<Secret>,
    /// The bearer token `/metrics` asks for; without one, `/metrics` is off.
    pub metrics_token: Option<Secret>,
    /// SQLite durability.
    pub sqlite_sync: SqliteSync,
    /// Connections in the read pool.
    pub pool_size: u32,
    /// Log format: `text` or `json`.
    pub log_format: String,
    /// Load the shipped banks and units into an empty database.
    pub load_shipped_data: bool,
    /// On an empty database, create a demo contest, round and official (`HOITHI_DEMO=0` turns it off).
    pub demo: bool,
    /// Whom to ask for help (`HOITHI_SUPPORT_CONTACT`), shown on the login
    /// page under "Quên mật khẩu?" (e.g. an office, a phone number).
    pub support_contact: Option<String>,
    /// Per-address limits (`HOITHI_LIMIT_*`) and the bank-file budget (`HOITHI_BANK_*`).
    pub limits: crate::limits::Limits,
    /// The binary that parses bank files in a child process; `None`: this
    /// one. Not a setting people change: tests, which run the server inside
    /// a test harness, name the `hoithi` binary here.
    pub parser_exe: Option<PathBuf>,
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The settings file could not be read or parsed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The optional `hoithi.toml`: the same names as the environment, lower case
/// and without the `HOITHI_` prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    bind: Option<String>,
    data_dir: Option<String>,
    public_url: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    secret_key: Option<String>,
    admin_password: Option<String>,
    metrics_token: Option<String>,
    sqlite_sync: Option<SqliteSync>,
    pool_size: Option<u32>,
    log_format: Option<String>,
    support_contact: Option<String>,
}

impl Settings {
    /// Reads `hoithi.toml` (or the file named by `HOITHI_CONFIG`) if present,
    /// then the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let lookup = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let file = lookup("HOITHI_CONFIG").unwrap_or_else(|| "hoithi.toml".into());
        let explicit = lookup("HOITHI_CONFIG").is_some();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
            Err(e) => {
                return Err(SettingsError::File { path: file, message: e.to_string() });
            }
        };
        Self::from_sources(text.as_deref(), &file, &lookup)
    }

    /// Builds settings from a file's text (if any) and an environment lookup.
    pub fn from_sources(
        file_text: Option<&str>,
        file_name: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let file: FileSettings = match file_text {
            Some(t) => toml::from_str(t)
                .map_err(|e| SettingsError::File { path: file_name.to_string(), message: e.to_string() })?,
            None => FileSettings::default(),
        };
        let pick = |env_name: &str, file_value: Option<String>| env(env_name).or(file_value);

        let data_dir = PathBuf::from(pick("HOITHI_DATA_DIR", file.data_dir).unwrap_or_else(|| "data".into()));
        let database = match pick("DATABASE_URL", file.database_url) {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::Sqlite(data_dir.join("hoithi.db")),
        };
        let bind_text = pick("HOITHI_BIND", file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            SettingsError::Invalid(format!("HOITHI_BIND must be an address like 127.0.0.1:8080 (got {bind_text:?})"))
        })?;
        let public_url = pick("HOITHI_PUBLIC_URL", file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(SettingsError::Invalid(format!(
                "HOITHI_PUBLIC_URL must start with http:// or https:// (got {public_url:?})"
            )));
        }
        let proxies: Vec<String> = match env("HOITHI_TRUSTED_PROXIES") {
            Some(list) => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            None => file.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = proxies
            .iter()
            .map(|p| {
                p.parse::<IpAddr>()
                    .map_err(|_| SettingsError::Invalid(format!("HOITHI_TRUSTED_PROXIES: {p:?} is not an IP address")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let secret_key = pick("HOITHI_SECRET_KEY", file.secret_key).filter(|s| !s.is_empty());
        if let Some(key) = &secret_key
            && key.len() < 32
        {
            return Err(SettingsError::Invalid(
                "HOITHI_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)".into(),
            ));
        }
        if database.is_postgres() && secret_key.is_none() {
            return Err(SettingsError::Invalid(
                "HOITHI_SECRET_KEY is required with PostgreSQL: every node must share it (e.g. `openssl rand -hex 32`)"
                    .into(),
            ));
        }
        let admin_password = pick("HOITHI_ADMIN_PASSWORD", file.admin_password).filter(|s| !s.is_empty());
        let metrics_token = pick("HOITHI_METRICS_TOKEN", file.metrics_token).filter(|s| !s.is_empty());
        if let Some(t) = &metrics_token
            && t.len() < 16
        {
            return Err(SettingsError::Invalid("HOITHI_METRICS_TOKEN must be at least 16 characters".into()));
        }
        let sqlite_sync = match env("HOITHI_SQLITE_SYNC") {
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "normal" => SqliteSync::Normal,
                "full" => SqliteSync::Full,
                _ => {
                    return Err(SettingsError::Invalid(format!(
                        "HOITHI_SQLITE_SYNC must be normal or full (got {v:?})"
                    )));
                }
            },
            None => file.sqlite_sync.unwrap_or(SqliteSync::Normal),
        };
        let pool_size = match env("HOITHI_POOL_SIZE") {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=512).contains(n))
                .ok_or_else(|| SettingsError::Invalid(format!("HOITHI_POOL_SIZE must be 1..512 (got {v:?})")))?,
            None => file.pool_size.unwrap_or(16),
        };
        let demo = match env("HOITHI_DEMO").as_deref().map(str::trim) {
            None | Some("1") | Some("true") | Some("") => true,
            Some("0") | Some("false") => false,
            Some(v) => return Err(SettingsError::Invalid(format!("HOITHI_DEMO must be 0 or 1 (got {v:?})"))),
        };
        let log_format = pick("HOITHI_LOG_FORMAT", file.log_format).unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            return Err(SettingsError::Invalid(format!("HOITHI_LOG_FORMAT must be text or json (got {log_format:?})")));
        }
        let support_contact = pick("HOITHI_SUPPORT_CONTACT", file.support_contact)
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty());
        if let Some(c) = &support_contact
            && (c.chars().count() > 200 || crate::domain::text::check_line(c).is_err())
        {
            return Err(SettingsError::Invalid(
                "HOITHI_SUPPORT_CONTACT must be one line of at most 200 characters".into(),
            ));
        }
        Ok(Self {
            database,
            bind,
            data_dir,
            public_url,
            trusted_proxies,
            secret_key: secret_key.map(Secret),
            admin_password: admin_password.map(Secret),
            metrics_token: metrics_token.map(Secret),
            sqlite_sync,
            pool_size,
            log_format,
            load_shipped_data: true,
            demo,
            support_contact,
            limits: crate::limits::Limits::from_env(env).map_err(SettingsError::Invalid)?,
            parser_exe: None,
        })
    }

    /// Cookies carry `Secure` only when people reach hoithi over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The secret key, generating one into the data directory (mode 0600) on
    /// first use when none is configured. PostgreSQL always has one (checked
    /// in [`Settings::from_sources`]).
    pub fn resolve_secret_key(&mut self) -> Result<Secret, SettingsError> {
        if let Some(k) = &self.secret_key {
            return Ok(k.clone());
        }
        let key = Secret(load_or_create_key(&self.data_dir.join("secret.key"))?);
        self.secret_key = Some(key.clone());
        Ok(key)
    }
}

fn load_or_create_key(path: &Path) -> Result<String, SettingsError> {
    let io_err = |e: std::io::Error| SettingsError::File { path: path.display().to_string(), message: e.to_string() };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = text.trim().to_string();
            if key.len() < 32 {
                return Err(SettingsError::File {
                    path: path.display().to_string(),
                    message: "the secret key file is too short; delete it to generate a new one".into(),
                });
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io_err)?;
            }
            let mut bytes = [0u8; 32];
            rand::fill(&mut bytes);
            let key = hex::encode(bytes);
            write_private(path, &format!("{key}\n")).map_err(io_err)?;
            Ok(key)
        }
        Err(e) => Err(io_err(e)),
    }
}

/// Writes a file readable by its owner only (mode 0600 on Unix).
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(file: Option<&str>, vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        Settings::from_sources(file, "hoithi.toml", &|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_serve_sqlite_in_data_dir_on_localhost() {
        let s = settings(None, &[]).unwrap();
        assert_eq!(s.database, DatabaseUrl::Sqlite(PathBuf::from("data/hoithi.db")));
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(!s.secure_cookies());
    }

    #[test]
    fn environment_overrides_file() {
        let s =
            settings(Some("bind = \"0.0.0.0:9000\"\ndata_dir = \"x\""), &[("HOITHI_BIND", "127.0.0.1:7000")]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:7000");
        assert_eq!(s.data_dir, PathBuf::from("x"));
        assert_eq!(s.database, DatabaseUrl::Sqlite(PathBuf::from("x/hoithi.db")));
    }

    #[test]
    fn sqlite_url_takes_relative_and_absolute_paths() {
        assert_eq!(DatabaseUrl::parse("sqlite://a/b.db").unwrap(), DatabaseUrl::Sqlite("a/b.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite:///var/x.db").unwrap(), DatabaseUrl::Sqlite("/var/x.db".into()));
    }

    #[test]
    fn unknown_scheme_is_a_clear_error() {
        let e = DatabaseUrl::parse("mysql://root@localhost/x").unwrap_err().to_string();
        assert!(e.contains("sqlite://") && e.contains("postgres://"), "{e}");
    }

    #[test]
    fn postgres_requires_a_secret_key() {
        let e = settings(None, &[("DATABASE_URL", "postgres://u:pw@h/db")]).unwrap_err().to_string();
        assert!(e.contains("HOITHI_SECRET_KEY"), "{e}");
        let ok = settings(None, &[("DATABASE_URL", "postgresql://h/db"), ("HOITHI_SECRET_KEY", &"k".repeat(40))]);
        assert!(ok.unwrap().database.is_postgres());
    }

    #[test]
    fn debug_never_prints_a_secret() {
        let s = settings(
            None,
            &[
                ("HOITHI_SECRET_KEY", "k-0123456789abcdef0123456789abcdef"),
                ("HOITHI_ADMIN_PASSWORD", "mat-khau-quan-tri"),
                ("HOITHI_METRICS_TOKEN", "token-0123456789abcdef"),
            ],
        )
        .unwrap();
        let printed = format!("{s:?}");
        for secret in ["k-0123456789abcdef", "mat-khau-quan-tri", "token-0123456789"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("Secret(***)"));
        assert_eq!(s.admin_password.unwrap().expose(), "mat-khau-quan-tri");
    }

    #[test]
    fn redacted_url_hides_password() {
        let u = DatabaseUrl::parse("postgres://user:secret@host/db").unwrap();
        assert_eq!(u.redacted(), "postgres://user:***@host/db");
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let s = settings(None, &[("HOITHI_PUBLIC_URL", "https://thi.example.vn/")]).unwrap();
        assert!(s.secure_cookies());
        assert_eq!(s.public_url, "https://thi.example.vn");
    }

    #[test]
    fn unknown_file_key_is_rejected_with_file_name() {
        let e = settings(Some("bindd = 1"), &[]).unwrap_err().to_string();
        assert!(e.starts_with("hoithi.toml"), "{e}");
    }

    #[test]
    fn generated_secret_key_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let dd = dir.path().to_str().unwrap();
        let mut s = settings(None, &[("HOITHI_DATA_DIR", dd)]).unwrap();
        let k1 = s.resolve_secret_key().unwrap();
        let mut s2 = settings(None, &[("HOITHI_DATA_DIR", dd)]).unwrap();
        assert_eq!(k1.expose(), s2.resolve_secret_key().unwrap().expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
