//! Logging for every Confide process (the gateway, the app, the CLI): `CONFIDE_LOG` chooses the
//! level (warnings by default), on standard error. Confide's own code never logs content or
//! addresses at any level; the libraries that see what crosses the wire do, at `debug` and
//! `trace` (the WebSocket library writes each chat message and resume token it frames), so they
//! are held at `warn` whatever `CONFIDE_LOG` says (issue 29).

use tracing::Level;
use tracing_subscriber::filter::{filter_fn, EnvFilter, FilterExt};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Crates that see frames, messages or credentials on the wire, by their tracing target.
const WIRE_LIBRARIES: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "axum",
    "hyper",
    "hyper_util",
    "h2",
    "tower",
    "tower_http",
    "rustls",
    "lettre",
    "imap",
    "sqlx",
    "reqwest",
    "ureq",
    "oauth2",
];

/// Whether an event or span may be logged whatever the chosen level allows.
pub fn may_log(target: &str, level: &Level) -> bool {
    let wire = WIRE_LIBRARIES
        .iter()
        .any(|l| target == *l || target.strip_prefix(l).is_some_and(|rest| rest.starts_with("::")));
    !wire || *level <= Level::WARN
}

/// Installs the process's logger. Call once, first thing.
pub fn init() {
    let chosen = EnvFilter::try_from_env("CONFIDE_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let filter = chosen.and(filter_fn(|m| may_log(m.target(), m.level())));
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(filter);
    tracing_subscriber::registry().with(layer).init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_libraries_are_held_at_warn() {
        assert!(!may_log("tungstenite::protocol", &Level::TRACE));
        assert!(!may_log("tokio_tungstenite", &Level::DEBUG));
        assert!(may_log("tungstenite::protocol", &Level::WARN));
        assert!(may_log("confide_webchat::hub", &Level::TRACE));
        // A crate whose name merely starts like one of them is not held.
        assert!(may_log("hyperion", &Level::TRACE));
    }
}
