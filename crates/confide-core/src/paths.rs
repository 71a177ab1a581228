//! Where a profile's store lives and what its keys are called in the keyring.

use std::path::{Path, PathBuf};

use fnv::short_hash;

/// The data folder: `CONFIDE_DATA_DIR` if set, else the platform's per-user data folder.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONFIDE_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("confide")
}

/// Keys in the keyring are named per data folder, so two stores on one desktop (a test, a
/// second profile) never share or overwrite each other's keys.
pub fn keyring_profile(data_dir: &Path) -> String {
    let abs = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    format!("store-{}", short_hash(abs.to_string_lossy().as_bytes()))
}

mod fnv {
    /// FNV-1a, 64 bits: a stable, short name for a path. Not a security boundary.
    pub fn short_hash(bytes: &[u8]) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// The service name the keyring entries are filed under.
pub const KEYRING_SERVICE: &str = "org.confide.desktop";
