//! Confide's background services: the live chat connection, push (IDLE) and the state
//! follower, the sent-folder guard, and the retention and audit schedules. Each runs on its own
//! task and tells what happened through [`Events`]; the shell (`src-tauri`) only wires them to
//! the window, so their ordering rules (a chat archived before the gateway may forget it) are
//! tested here without a window.

pub mod guard;
pub mod livechat;
pub mod push;
pub mod schedule;

use std::sync::Arc;

use confide_core::progress::Progress;
use confide_mail::expire::RetentionReport;
use confide_mail::guard::GuardReport;

/// What the services tell the person: the shell turns each into a window event or a desktop
/// notification. Nothing here may carry what anyone wrote into a notification.
pub trait Events: Send + Sync + 'static {
    /// Mail pushed by the server, a colleague's triage or a chat changed the inbox (how many).
    fn inbox_changed(&self, changed: usize);
    /// The live chat's state changed (the waiting list, a chat's end).
    fn webchat_changed(&self);
    /// A chat was opened on this desktop (its conversation).
    fn webchat_opened(&self, conversation: i64);
    /// The visitor of this conversation is typing.
    fn webchat_typing(&self, conversation: i64);
    /// The guard moved something, or could not.
    fn guard_report(&self, report: GuardReport);
    fn retention_progress(&self, progress: Progress);
    fn retention_report(&self, report: RetentionReport);
    /// A retention run that failed, in words.
    fn retention_failed(&self, message: String);
    /// A desktop notification. It can show on a locked or shared screen: titles and bodies name
    /// lines and colleagues, never a correspondent or their words.
    fn notify(&self, title: &str, body: &str);
}

/// How services hold the shell's events.
pub type EventSink = Arc<dyn Events>;
