//! Mail for Confide: MIME parsing now; IMAP sync, SMTP and the sent-folder guard build on it.
//! Protocol and parsing code here does no I/O.
#![forbid(unsafe_code)]

pub mod mime;
