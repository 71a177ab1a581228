//! How long work reports where it is: step `step` of `of`, in words for the person watching
//! (a retention run, a letter's import). The app turns each report into an event its window
//! shows; the CLI and tests may ignore them.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Progress {
    pub step: u32,
    pub of: u32,
    pub doing: String,
}

/// Told each [`Progress`] as a step begins.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Send + Sync);
