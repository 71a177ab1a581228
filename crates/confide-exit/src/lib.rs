//! SQLCipher encrypts through the system's OpenSSL (libcrypto), which by default frees its
//! global state from an `atexit` handler. sqlx closes SQLite connections on worker threads of
//! their own, so a process that exits while a store is still closing (a test that returns with
//! its store open, an app quitting) can have those threads free cipher contexts while OpenSSL
//! is being torn down: a double free or a segfault at exit, seen in CI. OpenSSL's own remedy
//! is to ask it, before anything else initialises it, not to register that handler; the
//! operating system reclaims the memory at exit anyway.
//!
//! This is the project's only unsafe code, kept in a crate of its own so every other crate can
//! go on forbidding it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

/// `OPENSSL_INIT_NO_ATEXIT` in OpenSSL 1.1.1b and later.
const OPENSSL_INIT_NO_ATEXIT: u64 = 0x0008_0000;

#[link(name = "crypto")]
extern "C" {
    fn OPENSSL_init_crypto(opts: u64, settings: *const std::ffi::c_void) -> std::ffi::c_int;
}

/// Initialises libcrypto without its exit handler. Call before the first store is opened;
/// later calls do nothing. Returns whether OpenSSL accepted it.
pub fn keep_crypto_until_exit() -> bool {
    static INIT: Once = Once::new();
    static OK: AtomicBool = AtomicBool::new(false);
    INIT.call_once(|| {
        // SAFETY: OPENSSL_init_crypto is thread-safe, takes a plain flag word and a null
        // settings pointer (meaning "defaults"), and is called once here.
        let ok = unsafe { OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, std::ptr::null()) } == 1;
        OK.store(ok, Ordering::SeqCst);
    });
    OK.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    #[test]
    fn openssl_accepts_being_initialised_without_its_exit_handler() {
        assert!(super::keep_crypto_until_exit());
        assert!(super::keep_crypto_until_exit(), "a second call is harmless");
    }
}
