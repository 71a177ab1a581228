#![allow(dead_code)]
use std::path::Path;
use std::sync::Arc;

use confide_core::policy::Catalog;
use confide_core::store::StoreConfig;
use confide_core::{Clock, Store, SystemClock};
use confide_vault::{OsKeyring, Vault};

/// True when running under tests/with-keyring. Tests that need the real keyring say so loudly
/// and return otherwise, rather than passing by accident.
pub fn keyring_available(test: &str) -> bool {
    if std::env::var_os("CONFIDE_TEST_KEYRING").is_some() {
        return true;
    }
    // In CI a skip would pass a run that tested nothing: there it fails.
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: needs the real keyring, and CI must provide it (tests/with-keyring)"
    );
    eprintln!("SKIPPED {test}: needs the real keyring; run it under tests/with-keyring (scripts/test does)");
    false
}

pub fn os_vault(data_dir: &Path) -> Vault {
    Vault::new(
        Arc::new(OsKeyring::new(confide_core::paths::KEYRING_SERVICE)),
        confide_core::paths::keyring_profile(data_dir),
    )
}

pub async fn open_store(data_dir: &Path, clock: Arc<dyn Clock>, catalog: Catalog) -> Store {
    Store::open(StoreConfig { data_dir: data_dir.to_path_buf(), vault: os_vault(data_dir), clock, catalog })
        .await
        .expect("store opens")
}

pub async fn open_default(data_dir: &Path) -> Store {
    open_store(data_dir, Arc::new(SystemClock), Catalog::builtin()).await
}

/// Every file under `dir` that contains `needle`, as (path, offset).
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            hits.push(entry.display().to_string());
        }
    }
    hits
}

pub fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
