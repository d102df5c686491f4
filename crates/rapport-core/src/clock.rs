//! Time is passed in, never read inside business rules, so tests can pin it.
use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; each reading advances it by `step` so ordering stays strict.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
    step: chrono::Duration,
}

impl FixedClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Mutex::new(start), step: chrono::Duration::milliseconds(1) }
    }

    /// Moves the clock on by `by` (a test's "three days later").
    pub fn advance(&self, by: chrono::Duration) {
        let mut guard = match self.now.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        let mut guard = match self.now.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let t = *guard;
        *guard = t + self.step;
        t
    }
}

/// The one text form of instants in the database: fixed width, so text order is time order.
pub fn to_db_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
