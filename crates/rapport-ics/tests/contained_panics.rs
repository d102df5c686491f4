//! `contain` keeps a reader's panic off the panic hook, and leaves the hook the program's own for every other
//! panic. One test in its own binary: the panic hook is the process's, and the order it is set in matters.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test

use std::sync::{Arc, Mutex};

#[test]
fn a_contained_panic_is_returned_and_not_reported_and_others_still_are() {
    let reported = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&reported);
    // Stands for the default hook (which prints on stderr) or the CLI's.
    std::panic::set_hook(Box::new(move |info| {
        seen.lock().unwrap().push(info.to_string());
    }));

    let caught = rapport_ics::contain::contain(|| -> u32 { panic!("index out of bounds in a damaged table") });
    assert_eq!(caught, Err("index out of bounds in a damaged table".to_owned()));
    let formatted = rapport_ics::contain::contain(|| -> u32 { panic!("row {} of {}", 7, 3) });
    assert_eq!(formatted, Err("row 7 of 3".to_owned()));
    let nested = rapport_ics::contain::contain(|| rapport_ics::contain::contain(|| -> u8 { panic!("inner") }));
    assert_eq!(nested, Ok(Err("inner".to_owned())));
    assert_eq!(rapport_ics::contain::contain(|| 5), Ok(5));
    let so_far = reported.lock().unwrap().clone();
    assert!(so_far.is_empty(), "{so_far:?}");

    // A panic outside `contain`, after it, is a bug and reaches the program's hook.
    let outside = std::panic::catch_unwind(|| panic!("a bug elsewhere"));
    assert!(outside.is_err());
    // Another thread's panic while this one is inside `contain` is reported too.
    let other_thread = rapport_ics::contain::contain(|| std::thread::spawn(|| panic!("another thread")).join());
    assert!(matches!(other_thread, Ok(Err(_))));

    let reported = reported.lock().unwrap().clone();
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert!(reported[0].contains("a bug elsewhere"), "{reported:?}");
    assert!(reported[1].contains("another thread"), "{reported:?}");
}
