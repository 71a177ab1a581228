//! Confide's domain and its encrypted desktop store. Knows nothing of Tauri or HTTP: the app,
//! the CLI and tests all drive it through the same plain functions.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
pub mod blocks;
pub mod canned;
pub mod case_records;
pub mod clock;
pub mod connection;
pub mod consent;
pub mod conversations;
pub mod disclosure;
mod error;
pub mod hardening;
pub mod inbox;
pub mod leaflets;
pub mod letters;
pub mod mailstore;
pub mod notes;
pub mod outbox;
pub mod paths;
pub mod policy;
pub mod progress;
pub mod providers;
pub mod qa;
pub mod record_store;
pub mod retention;
pub mod retention_record;
pub mod review;
pub mod shared_record;
pub mod staff;
pub mod store;
pub mod subject_access;
pub mod team;
#[cfg(feature = "testing")]
pub mod testing;
pub mod triage_state;
pub mod webchat;

pub use clock::{Clock, FixedClock, Rehearsal, SystemClock};
pub use error::{CoreError, ErrorCode, Refusal};
pub use store::Store;
