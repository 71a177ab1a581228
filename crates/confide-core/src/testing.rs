//! For tests (feature `testing`): a desktop set up with its own store and an in-memory keyring,
//! to run features' flows against `record_store::memory::MemoryRecords`.

use std::sync::Arc;

use confide_vault::{MemorySecrets, Vault};

use crate::policy::{Catalog, RoleKind};
use crate::store::StoreConfig;
use crate::{staff, Store, SystemClock};

/// `name`'s desktop under `dir`, on `respect-mal-current` in `role` on `lines`, the agreement
/// accepted.
pub async fn desktop(dir: &std::path::Path, name: &str, role: RoleKind, lines: &[&str]) -> staff::Session {
    let vault = Vault::new(Arc::new(MemorySecrets::default()), name);
    let config =
        StoreConfig { data_dir: dir.join(name), vault, clock: Arc::new(SystemClock), catalog: Catalog::builtin() };
    let store = Store::open(config).await.expect("a store opens in a temporary folder");
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    staff::save_profile_on_lines(&store, "respect-mal-current", name, role, &lines).await.expect("profile saved");
    staff::accept_agreement(&store, "current-1").await.expect("agreement accepted");
    staff::session(&store).await.expect("a session")
}
