//! Running a third-party reader of outside data (rrule here, calamine in the import) that may panic on input it
//! did not expect. Such a panic is caught and becomes one refusal; without this, the default panic hook would
//! still print "thread 'main' panicked at …" on stderr before the refusal, which reads as the program crashing.
//! The hook stays the program's own for every other panic: a bug elsewhere is still reported as one.

use std::cell::Cell;
use std::panic::{catch_unwind, UnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many `contain` calls this thread is inside (they may nest).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

/// Runs `f`; a panic inside it is returned as its message, and not printed. Only this thread's panics are
/// quietened, and only while `f` runs.
pub fn contain<R>(f: impl FnOnce() -> R + UnwindSafe) -> Result<R, String> {
    QUIET_HOOK.call_once(|| {
        // The hook in place when first needed (the default, or the CLI's) keeps every panic not contained.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(f);
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}
