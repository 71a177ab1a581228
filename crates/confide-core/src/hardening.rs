//! Process hardening that must happen before any secret or content is in memory.

/// No core dumps: a crash must not write decrypted mail, keys or chat text to disk (rule 2).
/// Also marks the process non-dumpable, so other processes of the same user cannot attach a
/// debugger to read its memory. Best effort: a failure is logged, not fatal.
pub fn forbid_core_dumps() {
    #[cfg(target_os = "linux")]
    {
        let limit = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
        let dumpable = nix::sys::prctl::set_dumpable(false);
        if limit.is_err() || dumpable.is_err() {
            tracing::warn!("core dumps could not be switched off");
        }
    }
}

/// Every file this process creates is its owner's alone (0600, folders 0700): the store's
/// database and its WAL, the webview's cache, a saved attachment, a temporary file, so a copied
/// or backed-up data folder keeps its protection (issue 29). The store also sets its own
/// files' modes ([`crate::Store::open`]), for callers that do not start here.
pub fn private_files() {
    #[cfg(unix)]
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn core_dumps_are_off_afterwards() {
        super::forbid_core_dumps();
        assert_eq!(nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_CORE).unwrap(), (0, 0));
        assert!(!nix::sys::prctl::get_dumpable().unwrap());
    }
}
