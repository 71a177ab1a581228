//! Mail for Confide: MIME parsing, IMAP command building, and IMAP sync. Parsing and command
//! building do no I/O; the blocking `imap` crate runs on its own threads, never on the async
//! runtime or the UI thread.
#![forbid(unsafe_code)]

pub mod attach;
pub mod canned;
pub mod connect;
mod error;
pub mod expire;
mod expire_personal;
mod expire_records;
mod expire_server;
pub mod folders;
pub mod guard;
pub mod idle;
pub mod imap_quote;
#[cfg(feature = "lab")]
pub mod lab;
pub mod mime;
pub mod oauth;
pub mod personal;
pub mod reading;
pub mod records;
mod remove;
pub mod reply;
pub mod review;
pub mod sanitize;
pub mod sasl;
pub mod send;
pub mod setup;
pub mod shared;
pub mod sync;
pub mod throttle;
pub mod triage;

pub use error::MailError;
