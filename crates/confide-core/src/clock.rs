//! Time comes from here, so every expiry rule can be tested by moving a clock, not by waiting.

use std::sync::Mutex;

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    /// The moment every rule is decided at (what has expired, what is due).
    fn now(&self) -> OffsetDateTime;

    /// The moment written down as when something happened (the retention record, the audit
    /// log). The same as [`Clock::now`] except in a [`Rehearsal`].
    fn recorded(&self) -> OffsetDateTime {
        self.now()
    }
}

/// `confide retention run --now <moment>`: rules are decided as at the pretended moment, but
/// what the run does is recorded at the time it really ran, so a what-if run is never
/// remembered as a run in the future (issue 29).
pub struct Rehearsal(pub OffsetDateTime);

impl Clock for Rehearsal {
    fn now(&self) -> OffsetDateTime {
        self.0
    }

    fn recorded(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to.
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().expect("clock lock") = at;
    }

    pub fn advance(&self, by: time::Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock")
    }
}
