//! The encrypted desktop store: one SQLCipher database keyed from the OS keyring, with every
//! body and record additionally age-encrypted in `blobs`.

pub(crate) mod blobs;
mod check;
pub(crate) mod kept_policy;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use confide_vault::{KeyPolicy, Recipient, StaffIdentity, Vault};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};

use crate::policy::Catalog;
use crate::{Clock, CoreError};

pub use blobs::BlobId;
pub use check::{check, StoreCheck};

pub const DB_FILE: &str = "confide.db";

/// Everything needed to open a store. The vault is the only source of keys.
pub struct StoreConfig {
    pub data_dir: PathBuf,
    pub vault: Vault,
    pub clock: Arc<dyn Clock>,
    pub catalog: Catalog,
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    pool: SqlitePool,
    identity: StaffIdentity,
    data_dir: PathBuf,
    clock: Arc<dyn Clock>,
    catalog: Catalog,
    vault: Vault,
}

impl Store {
    /// Opens (or on first run creates) the store. The keyring is asked first: if it cannot be
    /// reached, this returns before anything at all is written to disk.
    pub async fn open(config: StoreConfig) -> Result<Store, CoreError> {
        let StoreConfig { data_dir, vault, clock, catalog } = config;
        // Before SQLCipher first touches OpenSSL: see confide-exit.
        if !confide_exit::keep_crypto_until_exit() {
            tracing::warn!("OpenSSL would not start without its exit handler");
        }
        vault.probe()?;
        let db_path = data_dir.join(DB_FILE);
        let exists = db_path.exists();
        let policy = if exists { KeyPolicy::MustExist } else { KeyPolicy::CreateIfMissing };
        let db_key = vault.database_key(policy)?;
        let identity = vault.staff_identity(policy)?;

        create_private_dir(&data_dir)?;
        private_files(&db_path)
            .map_err(|source| CoreError::DataDir { path: data_dir.display().to_string(), source })?;
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(CoreError::Open)?
            .filename(&db_path)
            .create_if_missing(true)
            // sqlx sends `key` before any other pragma, as SQLCipher requires.
            .pragma("key", db_key.sqlcipher_pragma_value().to_string())
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted content is overwritten, not left in free pages for a later reader.
            .pragma("secure_delete", "ON")
            // Sorts and temporary indexes stay in memory rather than in plaintext temp files.
            .pragma("temp_store", "MEMORY")
            // Every page read from disk is decrypted and authenticated again: a cache big
            // enough for the indexes that sync and search walk (32 MiB) saves most of that.
            .pragma("cache_size", "-32768")
            .busy_timeout(Duration::from_secs(10))
            // sqlx logs each statement's text (at debug, or as a slow-statement warning), and
            // the first one a connection runs is `PRAGMA key` with the database key in it:
            // `CONFIDE_LOG=debug` wrote the key to the log (issue10_no_secret_in_files_logs_or_process_arguments).
            .disable_statement_logging();
        drop(db_key);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await.map_err(|e| {
            if exists && is_not_a_database(&e) {
                CoreError::WrongKey(e)
            } else {
                CoreError::Open(e)
            }
        })?;
        sqlx::migrate!("../../migrations").run(&pool).await?;
        let catalog = kept_policy::reconcile(&pool, catalog).await?;
        tracing::info!("store opened");
        Ok(Store { inner: Arc::new(Inner { pool, identity, data_dir, clock, catalog, vault }) })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.inner.pool
    }

    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    pub fn now_ts(&self) -> i64 {
        self.inner.clock.now().unix_timestamp()
    }

    /// When something done now is written down as done ([`Clock::recorded`]).
    pub fn recorded_ts(&self) -> i64 {
        self.inner.clock.recorded().unix_timestamp()
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn identity(&self) -> &StaffIdentity {
        &self.inner.identity
    }

    /// Who the local blobs are encrypted to: this staff member only.
    pub fn own_recipients(&self) -> Vec<Recipient> {
        vec![self.inner.identity.recipient()]
    }

    /// Folds the WAL back into the database and empties it, so deleted content does not
    /// linger in the journal.
    pub async fn checkpoint(&self) -> Result<(), CoreError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(self.pool()).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.inner.pool.close().await;
    }
}

fn is_not_a_database(e: &sqlx::Error) -> bool {
    // SQLITE_NOTADB (26): what SQLCipher answers when the key does not fit.
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("26"))
}

/// The one way a desktop store is opened, by the app, the CLI, the timers and the benchmarks:
/// keys from the OS keyring under the folder's own profile, the presets the process offers
/// ([`Catalog::offered`]) and the policy the store keeps.
pub async fn open_desktop(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Store, CoreError> {
    let vault = Vault::new(
        Arc::new(confide_vault::OsKeyring::new(crate::paths::KEYRING_SERVICE)),
        crate::paths::keyring_profile(data_dir),
    );
    Store::open(StoreConfig { data_dir: data_dir.to_path_buf(), vault, clock, catalog: Catalog::offered()? }).await
}

/// The database file is made 0600 before SQLite first opens it, because SQLite gives its WAL and
/// shared-memory files the database file's mode; files of an older store are set to 0600 too.
/// So a copied or backed-up data folder keeps its protection (issue 29).
fn private_files(db_path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(db_path)?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db_path.as_os_str().to_owned();
            name.push(suffix);
            match std::fs::set_permissions(&name, std::fs::Permissions::from_mode(0o600)) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                other => other?,
            }
        }
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<(), CoreError> {
    let err = |source| CoreError::DataDir { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    Ok(())
}
