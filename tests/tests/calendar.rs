#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Appointments on real SQLite files: no double booking (buffers, time off, threads, DST), .ics import
//! semantics (UID, SEQUENCE, CANCEL, idempotence, clashes, malformed events), allocation, reminders,
//! campaign isolation and permissions of every calendar operation.
mod common;

use std::sync::Arc;

use common::{booking, fixture, lead, Fixture, PASSWORD};
use rapport_core::calendar::{AgentCalendar, AppointmentStatus, Confirmation, IcsFile, SlotRequest, WorkingHours};
use rapport_core::leads::Lead;
use rapport_core::users::Role;
use rapport_core::{Actor, ErrorCode, Origin, Rapport};

fn agent_settings(f: &Fixture, actor: &Actor, zone: &str, buffer: u32) -> AgentCalendar {
    let id = actor.user_id().unwrap();
    let mut cal = f.core.agent_calendar(actor, id).unwrap();
    cal.time_zone = zone.into();
    cal.buffer_minutes = buffer;
    f.core.update_agent_calendar(actor, cal).unwrap()
}

fn ics(name: &str, text: &str) -> IcsFile {
    IcsFile { name: name.into(), bytes: text.replace('\n', "\r\n").into_bytes() }
}

#[test]
fn a_clash_is_refused_naming_it_and_nothing_is_written() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "Europe/Berlin", 15);
    f.core
        .book_appointment(&dana, &booking(id, "Demo with Acme", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"))
        .unwrap();
    let before = f.dump();
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Second", "2026-12-03T09:30:00Z", "2026-12-03T10:30:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked);
    let message = err.to_string();
    assert!(message.contains("“Demo with Acme”"), "{message}");
    assert!(message.contains("Thu 3 Dec 2026 10:00–11:00 (Europe/Berlin)"), "times in the agent's zone: {message}");
    assert!(!message.contains("[appointment"), "no row ids in what people read: {message}");
    assert_eq!(f.dump(), before, "a refused booking writes nothing");
    // The 15-minute buffer counts; just after it is free.
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Too close", "2026-12-03T10:10:00Z", "2026-12-03T10:40:00Z"))
        .unwrap_err();
    assert!(err.to_string().contains("buffer"), "{err}");
    f.core
        .book_appointment(&dana, &booking(id, "After the buffer", "2026-12-03T10:15:00Z", "2026-12-03T10:45:00Z"))
        .unwrap();
    // Time off counts too.
    f.core.add_time_off(&dana, id, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", "dentist").unwrap();
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "On leave", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked);
    assert!(err.to_string().contains("dentist"), "{err}");
    // Another agent is free then (booked by an Administrator: a colleague's calendar takes only meetings
    // with a lead from an Editor).
    let sam = f.user("sam", Role::Editor, &[]);
    f.core
        .book_appointment(
            &f.admin,
            &booking(sam.user_id().unwrap(), "Sam's", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"),
        )
        .unwrap();
    // A cancelled appointment frees its time.
    let a =
        f.core.book_appointment(&dana, &booking(id, "Later", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")).unwrap();
    f.core.set_appointment_status(&dana, a.id, AppointmentStatus::Cancelled).unwrap();
    f.core.book_appointment(&dana, &booking(id, "Instead", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")).unwrap();
    let err = f.core.set_appointment_status(&dana, a.id, AppointmentStatus::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "taking a cancelled slot back is checked too");
}

#[test]
fn threads_racing_for_one_slot_book_it_once() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    // Separate handles on one file: separate connections, as separate windows or processes would have.
    let handles: Vec<Arc<Rapport>> = (0..6).map(|_| Arc::new(Rapport::open(&f.path).unwrap())).collect();
    let barrier = Arc::new(std::sync::Barrier::new(handles.len()));
    let threads: Vec<_> = handles
        .into_iter()
        .enumerate()
        .map(|(i, core)| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let actor = core.sign_in("dana", PASSWORD).unwrap();
                // Overlapping, not identical, times: 10:00–11:00 shifted by 10 minutes each.
                let start = format!("2026-12-10T10:{:02}:00Z", i * 5);
                let end = format!("2026-12-10T11:{:02}:00Z", i * 5);
                barrier.wait();
                core.book_appointment(&actor, &booking(id, &format!("t{i}"), &start, &end))
                    .map(|_| ())
                    .map_err(|e| e.code())
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok() || *r == Err(ErrorCode::DoubleBooked)), "{results:?}");
    assert_eq!(f.count("appointments"), 1);
}

/// An RDATE may fall before DTSTART (Google's birthdays calendar lists past years so): that day is in a narrow
/// window too, as it is in a wide one, and it holds its time for clashes.
#[test]
fn a_repetition_dated_before_the_first_start_is_found_in_a_narrow_window() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "Europe/Berlin", 0);
    let file = ics(
        "earlier.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:rdate-before\nSUMMARY:Review\n\
DTSTART:20261210T090000Z\nDTEND:20261210T100000Z\nRDATE:20261201T090000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    let wide = f.core.occurrences(&dana, &[id], "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z").unwrap();
    let starts: Vec<&str> = wide.iter().map(|o| o.start.as_str()).collect();
    assert_eq!(starts, ["2026-12-01T09:00:00Z", "2026-12-10T09:00:00Z"]);
    let day = f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z").unwrap();
    assert_eq!(day.iter().map(|o| o.start.as_str()).collect::<Vec<_>>(), ["2026-12-01T09:00:00Z"]);
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Over it", "2026-12-01T09:30:00Z", "2026-12-01T10:30:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
}

#[test]
fn clashes_hold_across_daylight_saving_changes() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "Europe/Berlin", 0);
    // A weekly 09:00 Berlin meeting from October into November: 07:00Z before the change, 08:00Z after.
    let file = ics(
        "weekly.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:weekly-1\nSUMMARY:Team call\n\
DTSTART;TZID=Europe/Berlin:20261019T090000\nDTEND;TZID=Europe/Berlin:20261019T100000\nRRULE:FREQ=WEEKLY;COUNT=6\n\
END:VEVENT\nEND:VCALENDAR\n",
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    let occ = f.core.occurrences(&dana, &[id], "2026-10-19T00:00:00Z", "2026-11-03T00:00:00Z").unwrap();
    let starts: Vec<&str> = occ.iter().map(|o| o.start.as_str()).collect();
    assert_eq!(starts, ["2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z"]);
    // 07:30Z on 2 Nov is free (the meeting moved to 08:00Z with the clocks); 08:30Z is not.
    f.core.book_appointment(&dana, &booking(id, "Early", "2026-11-02T07:00:00Z", "2026-11-02T08:00:00Z")).unwrap();
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Late", "2026-11-02T08:30:00Z", "2026-11-02T09:30:00Z"))
        .unwrap_err();
    assert!(err.to_string().contains("“Team call”"), "{err}");
    // The night the clocks go back, the second 02:30 (01:30Z) stays 01:30Z, and a booking across the change
    // (02:45 summer time to 02:15 winter time) keeps its half hour: each is where it was checked for clashes.
    let second = f
        .core
        .book_appointment(&dana, &booking(id, "Second 02:30", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"))
        .unwrap();
    let across =
        f.core.book_appointment(&dana, &booking(id, "Across", "2026-10-25T00:45:00Z", "2026-10-25T01:15:00Z")).unwrap();
    let night = f.core.occurrences(&dana, &[id], "2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z").unwrap();
    let spans: Vec<(&str, &str)> = night.iter().map(|o| (o.start.as_str(), o.end.as_str())).collect();
    assert_eq!(
        spans,
        [("2026-10-25T00:45:00Z", "2026-10-25T01:15:00Z"), ("2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z")]
    );
    assert_ne!(second.id, across.id);
    assert_eq!(
        second.time_zone.as_deref(),
        Some("Europe/Berlin"),
        "booked in Berlin time, whatever its start is written in"
    );
    for (start, end) in
        [("2026-10-25T00:50:00Z", "2026-10-25T01:00:00Z"), ("2026-10-25T02:00:00Z", "2026-10-25T02:10:00Z")]
    {
        let err = f.core.book_appointment(&dana, &booking(id, "On top", start, end)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::DoubleBooked, "{start}: {err}");
    }
    // A booking typed in New York time on the US change day lands at the right instant.
    let mut b = booking(id, "NY", "2026-11-01T09:00:00-05:00", "2026-11-01T10:00:00-05:00");
    b.time_zone = "America/New_York".into();
    let a = f.core.book_appointment(&dana, &b).unwrap();
    assert_eq!((a.start.as_str(), a.end.as_str()), ("2026-11-01T14:00:00Z", "2026-11-01T15:00:00Z"));
    assert_eq!(a.time_zone.as_deref(), Some("America/New_York"));
}

const OUTLOOK_INVITE: &str = "BEGIN:VCALENDAR
METHOD:REQUEST
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
ORGANIZER;CN=Dana Agent:mailto:dana@rapport.test
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Zoe Mueller:mailto:ZOE.MUELLER@Example.COM
ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Hans Neu:mailto:hans.neu@example.org
DESCRIPTION;LANGUAGE=de-DE:Agenda:\\n- Angebot\\, Preise
UID:040000008200E00074C5B7101A82E0080000000050A3A8F2D0
SUMMARY;LANGUAGE=de-DE:Angebotsbesprechung
DTSTART;TZID=W. Europe Standard Time:20261203T100000
DTEND;TZID=W. Europe Standard Time:20261203T110000
SEQUENCE:0
LOCATION;LANGUAGE=de-DE:Raum 4
STATUS:CONFIRMED
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
END:VEVENT
END:VCALENDAR
";

/// Dana, an Editor in Berlin whose calendar address is the one Outlook invites name: signed in, and her id.
fn dana_in_berlin(f: &Fixture) -> (Actor, i64) {
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    let mut cal = agent_settings(f, &dana, "Europe/Berlin", 0);
    cal.email = "dana@rapport.test".into();
    f.core.update_agent_calendar(&dana, cal).unwrap();
    (dana, id)
}

/// An agent whose calendar has no address cannot be told from the invite's other people: the import says so,
/// and where to set it, rather than leave them to wonder why they are offered as a lead of their own.
#[test]
fn an_invite_imported_for_an_agent_without_an_address_says_what_it_cannot_tell() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let report = f.core.import_ics(&eve, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    assert_eq!(report.created, 1, "{report:?}");
    let unknown: Vec<&str> = report.unknown_attendees.iter().map(|a| a.email.as_str()).collect();
    assert!(unknown.contains(&"dana@rapport.test"), "the organizer is anyone's: {unknown:?}");
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].starts_with("eve has no email address in the calendar settings"), "{report:?}");
    assert!(report.warnings[0].ends_with("Set it in the calendar settings."), "{report:?}");

    // A file of meetings without people (a personal calendar) has nothing to tell apart: no warning.
    let alone = OUTLOOK_INVITE
        .lines()
        .filter(|l| !l.starts_with("ORGANIZER") && !l.starts_with("ATTENDEE"))
        .map(|l| l.replace("040000008200E00074C5B7101A82E0080000000050A3A8F2D0", "alone-1"))
        .collect::<Vec<_>>()
        .join("\n");
    let report = f.core.import_ics(&eve, &[ics("mine.ics", &alone)], None).unwrap().remove(0);
    assert_eq!(report.created, 1, "{report:?}");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

/// A colleague invited along (the invite's organizer here, Dana, whose calendar has that address) is shown as
/// a colleague, is not offered as a lead, and cannot be made one.
#[test]
fn a_colleague_in_an_invite_is_no_lead_to_make() {
    let f = fixture();
    let (_, _) = dana_in_berlin(&f);
    let eve = f.user("eve", Role::Editor, &[]);
    let mut cal = agent_settings(&f, &eve, "Europe/Berlin", 0);
    cal.email = "eve@rapport.test".into();
    f.core.update_agent_calendar(&eve, cal).unwrap();

    let report = f.core.import_ics(&eve, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    assert_eq!(report.created, 1, "{report:?}");
    let unknown: Vec<String> = report.unknown_attendees.iter().map(|a| a.email.to_lowercase()).collect();
    assert_eq!(unknown, ["zoe.mueller@example.com", "hans.neu@example.org"], "Dana is not offered as a lead");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let a = f.core.appointment(&eve, report.appointment_ids[0]).unwrap();
    let dana = a.attendees.iter().find(|x| x.email == "dana@rapport.test").expect("Dana is an attendee");
    assert_eq!(dana.colleague.as_deref(), Some("dana"));
    assert!(a.attendees.iter().filter(|x| x.email != "dana@rapport.test").all(|x| x.colleague.is_none()));

    let before = f.dump();
    let err = f.core.create_lead_from_attendee(&eve, a.id, "DANA@rapport.test", None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(err.field_errors()[0].field, "email");
    assert!(err.to_string().contains("a colleague, not a lead"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
}

/// A file holding two versions of one meeting (a mail thread saved as one file; ical4j's classify.ics, the
/// newer first) is one appointment, created, at the newer version's time, and the older copy is said. It was
/// reported "created 1, updated 1" for the one meeting, without a word of the older copy.
#[test]
fn two_versions_of_one_meeting_in_a_file_are_one_appointment_created() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let version = |sequence: u32, day: u32| {
        format!(
            "BEGIN:VEVENT\nUID:review@example.org\nSEQUENCE:{sequence}\nDTSTAMP:20261101T000000Z\n\
             DTSTART:202612{day:02}T090000Z\nDTEND:202612{day:02}T100000Z\nSUMMARY:Review\nEND:VEVENT\n"
        )
    };
    let file = format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{}{}END:VCALENDAR\n",
        version(1, 15),
        version(0, 14)
    );
    let report = f.core.import_ics(&dana, &[ics("thread.ics", &file)], None).unwrap().remove(0);
    assert_eq!((report.created, report.updated, report.unchanged), (1, 0, 0), "{report:?}");
    assert_eq!(report.appointment_ids.len(), 1, "{report:?}");
    let a = f.core.appointment(&dana, report.appointment_ids[0]).unwrap();
    assert_eq!(a.start, "2026-12-15T09:00:00Z", "the newer version stands");
    assert!(report.warnings.iter().any(|w| w.contains("older version too (SEQUENCE 0 < 1)")), "{:?}", report.warnings);
    // The same file again changes nothing, and says so once.
    let again = f.core.import_ics(&dana, &[ics("thread.ics", &file)], None).unwrap().remove(0);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1), "{again:?}");
}

#[test]
fn an_outlook_invite_is_imported_once_updated_by_uid_and_cancelled() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let zoe =
        f.core.create_lead(&dana, &lead("Zoe", "Mueller", "zoe.mueller@example.com"), &Origin::manual()).unwrap().lead;

    let report = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    assert_eq!((report.created, report.updated, report.unchanged), (1, 0, 0), "{report:?}");
    let a = f.core.appointment(&dana, report.appointment_ids[0]).unwrap();
    assert_eq!(
        (a.start.as_str(), a.end.as_str()),
        ("2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"),
        "Windows zone name read"
    );
    assert_eq!(a.title, "Angebotsbesprechung");
    assert_eq!(a.agent_id, id, "into the importing agent's calendar");
    assert_eq!(a.notes, "Agenda:\n- Angebot, Preise", "text unescaped");
    assert_eq!(a.lead_id, Some(zoe.id), "matched by normalized email, case aside");
    assert_eq!(report.unknown_attendees.len(), 1);
    assert_eq!(report.unknown_attendees[0].email, "hans.neu@example.org");
    assert!(
        a.attendees.iter().all(|x| x.email != "dana@rapport.test"),
        "the agent is not an attendee of their own invite"
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    // It is on the lead's page and in its history.
    assert_eq!(f.core.lead_appointments(&dana, zoe.id).unwrap().len(), 1);
    assert!(f.core.lead_history(&dana, zoe.id).unwrap().iter().any(|e| e.entity == "appointment"));

    // The same file again changes nothing at all.
    let before = f.dump();
    let again = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1));
    assert_eq!(f.dump(), before, "a second import writes nothing, not even an empty change batch");

    // An updated invite (SEQUENCE 1, moved an hour) updates the same appointment.
    let moved = OUTLOOK_INVITE
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace("T100000", "T110000")
        .replace("T110000\nSEQ", "T120000\nSEQ");
    let moved = moved.replace(
        "DTEND;TZID=W. Europe Standard Time:20261203T110000",
        "DTEND;TZID=W. Europe Standard Time:20261203T120000",
    );
    let r = f.core.import_ics(&dana, &[ics("update.ics", &moved)], None).unwrap().remove(0);
    assert_eq!((r.created, r.updated), (0, 1), "{r:?}");
    let a2 = f.core.appointment(&dana, a.id).unwrap();
    assert_eq!(a2.start, "2026-12-03T10:00:00Z");
    // An older version arriving late does not undo it.
    let late = f.core.import_ics(&dana, &[ics("old.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    assert_eq!(late.unchanged, 1);
    assert_eq!(f.core.appointment(&dana, a.id).unwrap().start, "2026-12-03T10:00:00Z");

    // Two copies of one SEQUENCE (a room changed, which need not raise it): the later DTSTAMP is the newer one,
    // whichever order they are imported in; the same copy stamped again is no change.
    let stamped = |at: &str, room: &str| {
        moved.replace("SEQUENCE:1", &format!("SEQUENCE:1\nDTSTAMP:{at}")).replace("Raum 4", room)
    };
    let r = f.core.import_ics(&dana, &[ics("newer.ics", &stamped("20261120T100000Z", "Raum 5"))], None).unwrap();
    assert_eq!(r[0].updated, 1, "{:?}", r[0]);
    let r = f.core.import_ics(&dana, &[ics("older.ics", &stamped("20261110T100000Z", "Raum 4"))], None).unwrap();
    assert_eq!((r[0].updated, r[0].unchanged), (0, 1), "{:?}", r[0]);
    assert_eq!(f.core.appointment(&dana, a.id).unwrap().location, "Raum 5", "the later copy stays");
    let before = f.dump();
    let r = f.core.import_ics(&dana, &[ics("again.ics", &stamped("20261125T100000Z", "Raum 5"))], None).unwrap();
    assert_eq!(r[0].unchanged, 1, "{:?}", r[0]);
    assert_eq!(f.dump(), before, "stamped anew, the same copy writes nothing");

    // A client's acceptance (METHOD:REPLY, one attendee, no notes) is no new version of the invite.
    let before = f.dump();
    let reply = moved.replace("METHOD:REQUEST", "METHOD:REPLY");
    let r = f.core.import_ics(&dana, &[ics("reply.ics", &reply)], None).unwrap().remove(0);
    assert_eq!((r.created, r.updated, r.cancelled), (0, 0, 0), "{r:?}");
    assert!(r.warnings.iter().any(|w| w.contains("METHOD:REPLY")), "{r:?}");
    assert_eq!(f.dump(), before, "a reply writes nothing");

    // METHOD:CANCEL cancels it.
    let cancel = moved
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("SEQUENCE:1", "SEQUENCE:2")
        .replace("STATUS:CONFIRMED", "STATUS:CANCELLED");
    let r = f.core.import_ics(&dana, &[ics("cancel.ics", &cancel)], None).unwrap().remove(0);
    assert_eq!(r.cancelled, 1, "{r:?}");
    assert_eq!(f.core.appointment(&dana, a.id).unwrap().status, AppointmentStatus::Cancelled);
    assert_eq!(f.count("appointments"), 1, "one appointment throughout");

    // The unknown attendee becomes a Draft lead in one step, linked to the appointment.
    let hans = f.core.create_lead_from_attendee(&dana, a.id, "hans.neu@example.org", None).unwrap();
    let hans_lead = f.core.get_lead(&dana, hans).unwrap();
    assert_eq!((hans_lead.first_name.as_str(), hans_lead.last_name.as_str()), ("Hans", "Neu"));
    assert_eq!(hans_lead.status.as_str(), "draft");
    let attendees = f.core.appointment(&dana, a.id).unwrap().attendees;
    assert_eq!(attendees.iter().find(|x| x.email == "hans.neu@example.org").unwrap().lead_id, Some(hans));
}

/// A cancel of the same SEQUENCE as the invite, with no DTSTAMP on either or the invite's own, cancels it: taken
/// for the same copy sent again, it was left confirmed without a word. The very same file again is still
/// unchanged, and so is the cancel imported twice.
#[test]
fn a_cancel_without_a_newer_stamp_or_sequence_still_cancels() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let event = |method: &str, status: &str, start: &str, stamp: &str| {
        format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nMETHOD:{method}\nBEGIN:VEVENT\nUID:plain-1@example.com\n\
             {stamp}DTSTART:{start}\nDTEND:20270310T180000Z\nSUMMARY:Event\nSTATUS:{status}\nEND:VEVENT\nEND:VCALENDAR\n"
        )
    };
    for stamp in ["", "DTSTAMP:20270301T080000Z\n"] {
        let f = fixture();
        let (dana, _) = dana_in_berlin(&f);
        let invite = event("REQUEST", "CONFIRMED", "20270310T140000Z", stamp);
        let r = f.core.import_ics(&dana, &[ics("invite.ics", &invite)], None).unwrap().remove(0);
        let id = r.appointment_ids[0];
        let again = f.core.import_ics(&dana, &[ics("invite.ics", &invite)], None).unwrap().remove(0);
        assert_eq!(again.unchanged, 1, "the same file again: {again:?}");
        let cancel = event("CANCEL", "CANCELLED", "20270310T140000Z", stamp);
        let r = f.core.import_ics(&dana, &[ics("cancel.ics", &cancel)], None).unwrap().remove(0);
        assert_eq!(r.cancelled, 1, "{stamp:?}: {r:?}");
        assert_eq!(f.core.appointment(&dana, id).unwrap().status, AppointmentStatus::Cancelled);
        let twice = f.core.import_ics(&dana, &[ics("cancel.ics", &cancel)], None).unwrap().remove(0);
        assert_eq!((twice.cancelled, twice.unchanged), (0, 1), "{stamp:?}: {twice:?}");
    }
    // A Viewer's calendar, which never held an appointment, takes none: booking refuses them.
    let vic = f.user("vic", Role::Viewer, &[]);
    let before = f.dump();
    let invite = event("REQUEST", "CONFIRMED", "20270310T140000Z", "");
    let err = f.core.import_ics(&f.admin, &[ics("invite.ics", &invite)], vic.user_id()).unwrap_err();
    assert!(err.to_string().contains("cannot hold appointments"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let _ = dana;
}

/// An invite someone else organized is exported with its people as they sent them: the agent among them and
/// each answer kept, the organizer once. Its people matched to leads here replaced them: the agent was dropped
/// and the organizer listed as an attendee still to answer.
#[test]
fn an_invite_someone_else_organized_is_exported_with_its_people_as_sent() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let invite = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nMETHOD:REQUEST\n\
BEGIN:VEVENT\nUID:g-1@google.com\nDTSTAMP:20270301T080000Z\nSEQUENCE:0\nDTSTART:20270310T140000Z\n\
DTEND:20270310T150000Z\nSUMMARY:Planning\nORGANIZER;CN=Olga Organizer:mailto:olga@partner.example\n\
ATTENDEE;CN=Olga Organizer;PARTSTAT=ACCEPTED:mailto:olga@partner.example\n\
ATTENDEE;CN=Dana Agent;PARTSTAT=ACCEPTED:mailto:dana@rapport.test\n\
ATTENDEE;CN=John Doe;PARTSTAT=DECLINED:mailto:john@partner.example\nEND:VEVENT\nEND:VCALENDAR\n";
    let r = f.core.import_ics(&dana, &[ics("invite.ics", invite)], None).unwrap().remove(0);
    let sent = f.core.export_invite(&dana, r.appointment_ids[0]).unwrap().replace("\r\n ", "");
    let people: Vec<&str> = sent.lines().filter(|l| l.starts_with("ATTENDEE") || l.starts_with("ORGANIZER")).collect();
    assert_eq!(people.iter().filter(|l| l.starts_with("ORGANIZER")).count(), 1, "{sent}");
    assert!(people[0].contains("olga@partner.example"), "{sent}");
    let answer =
        |who: &str| people.iter().find(|l| l.starts_with("ATTENDEE") && l.contains(who)).map(|l| l.to_string());
    assert!(answer("olga@").is_some_and(|l| l.contains("PARTSTAT=ACCEPTED")), "{sent}");
    assert!(answer("dana@rapport.test").is_some_and(|l| l.contains("PARTSTAT=ACCEPTED")), "the agent stays: {sent}");
    assert!(answer("john@").is_some_and(|l| l.contains("PARTSTAT=DECLINED")), "{sent}");
    assert!(!sent.contains("NEEDS-ACTION"), "{sent}");
}

/// A meeting the rep marked No-show (or Completed) stays so when the organizer's later copy of the same time
/// comes (CONFIRMED, iCalendar having no word for either): it went back to Confirmed. Moved to another time, it
/// is a meeting still to hold.
#[test]
fn a_later_copy_of_a_meeting_keeps_the_reps_no_show_until_it_moves() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let first = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    let id = first.appointment_ids[0];
    f.core.set_appointment_status(&dana, id, AppointmentStatus::NoShow).unwrap();
    let renamed = OUTLOOK_INVITE.replace("SEQUENCE:0", "SEQUENCE:1").replace("Raum 4", "Raum 5");
    let r = f.core.import_ics(&dana, &[ics("update.ics", &renamed)], None).unwrap().remove(0);
    assert_eq!(r.updated, 1, "{r:?}");
    let a = f.core.appointment(&dana, id).unwrap();
    assert_eq!((a.status, a.location.as_str()), (AppointmentStatus::NoShow, "Raum 5"));
    let moved = renamed.replace("SEQUENCE:1", "SEQUENCE:2").replace("20261203T1", "20261210T1");
    f.core.import_ics(&dana, &[ics("moved.ics", &moved)], None).unwrap();
    let a = f.core.appointment(&dana, id).unwrap();
    assert_eq!((a.status, a.start.as_str()), (AppointmentStatus::Confirmed, "2026-12-10T09:00:00Z"));
}

/// An invite the organizer cancelled, set back to Confirmed by the rep, holds its time again: a booking over it
/// is refused. It stayed free, as if shown so, and was offered to other meetings.
#[test]
fn a_cancelled_invite_set_back_to_confirmed_holds_its_time_again() {
    let f = fixture();
    let (dana, dana_id) = dana_in_berlin(&f);
    let first = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    let id = first.appointment_ids[0];
    let cancel = OUTLOOK_INVITE
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace("STATUS:CONFIRMED", "STATUS:CANCELLED");
    f.core.import_ics(&dana, &[ics("cancel.ics", &cancel)], None).unwrap();
    assert_eq!(f.core.appointment(&dana, id).unwrap().status, AppointmentStatus::Cancelled);
    // Cancelled, its time is free.
    let over = booking(dana_id, "Call over it", "2026-12-03T09:15:00Z", "2026-12-03T09:45:00Z");
    let call = f.core.book_appointment(&dana, &over).unwrap();
    f.core.set_appointment_status(&dana, call.id, AppointmentStatus::Cancelled).unwrap();
    f.core.set_appointment_status(&dana, id, AppointmentStatus::Confirmed).unwrap();
    let err = f.core.book_appointment(&dana, &over).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    let invite = f.core.export_invite(&dana, id).unwrap();
    assert!(!invite.contains("TRANSP:TRANSPARENT"), "{invite}");
}

/// A meeting cancelled by mistake after the day is set to No-show: what overlapped it then (an invite imported
/// beside it) is no reason to refuse, as a meeting already over takes no time back.
#[test]
fn a_past_meeting_cancelled_by_mistake_can_still_be_recorded_as_a_no_show() {
    let f = fixture();
    let (dana, dana_id) = dana_in_berlin(&f);
    let demo =
        f.core.book_appointment(&dana, &booking(dana_id, "Demo", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"));
    let demo = demo.unwrap();
    // An invite imported over it (imports keep their clashes).
    f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap();
    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 4, 9, 0, 0).unwrap();
    let later = Arc::new(rapport_core::FixedClock::new(at));
    let core = Rapport::open_with(&f.path, &rapport_core::OpenOptions::default(), later).unwrap();
    let dana = core.sign_in("dana", PASSWORD).unwrap();
    core.set_appointment_status(&dana, demo.id, AppointmentStatus::Cancelled).unwrap();
    let noshow = core.set_appointment_status(&dana, demo.id, AppointmentStatus::NoShow).unwrap();
    assert_eq!(noshow.status, AppointmentStatus::NoShow);
    // A meeting still to come is checked as before: the same cancelled and set back is refused over the invite.
    let soon = core.book_appointment(&dana, &booking(dana_id, "Soon", "2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z"));
    let soon = soon.unwrap();
    core.set_appointment_status(&dana, soon.id, AppointmentStatus::Cancelled).unwrap();
    core.book_appointment(&dana, &booking(dana_id, "Over it", "2026-12-10T09:30:00Z", "2026-12-10T10:30:00Z")).unwrap();
    let err = core.set_appointment_status(&dana, soon.id, AppointmentStatus::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
}

/// Where each invitee of appointment `id` points: (address, lead).
fn invitees(f: &Fixture, who: &Actor, id: i64) -> Vec<(String, Option<i64>)> {
    f.core.appointment(who, id).unwrap().attendees.into_iter().map(|a| (a.email, a.lead_id)).collect()
}

/// A merged lead's invitations (it was an attendee of an appointment, not its lead) move to the survivor in
/// the merge's change log, and unmerge gives back exactly those: an invitation the survivor had before stays
/// the survivor's.
#[test]
fn unmerge_gives_back_the_invitations_the_merge_moved_and_only_those() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let zoe =
        f.core.create_lead(&dana, &lead("Zoe", "Mueller", "zoe.mueller@example.com"), &Origin::manual()).unwrap().lead;
    let report = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    let appointment = report.appointment_ids[0];
    let hans = f.core.create_lead_from_attendee(&dana, appointment, "hans.neu@example.org", None).unwrap();
    // Addresses as the invite wrote them.
    let (zoe_at, hans_at) = ("ZOE.MUELLER@example.com".to_string(), "hans.neu@example.org".to_string());
    let before = invitees(&f, &dana, appointment);
    assert!(before.contains(&(zoe_at.clone(), Some(zoe.id))), "{before:?}");
    assert!(before.contains(&(hans_at.clone(), Some(hans))), "{before:?}");

    // Hans, only invited, merged into another record of him: his invitation follows, logged.
    let other = f.core.create_lead(&f.admin, &lead("Hans", "Neu", "h.neu@neu.example"), &Origin::manual()).unwrap();
    let merge = f.core.merge_leads(&f.admin, other.lead.id, &[hans], &[]).unwrap().merge_id;
    assert!(invitees(&f, &dana, appointment).contains(&(hans_at.clone(), Some(other.lead.id))));
    let logged: i64 = f
        .sql()
        .query_row(
            "SELECT count(*) FROM change_log WHERE batch_id = ?1 AND entity = 'appointment' AND field = ?2
             AND old_value = ?3 AND new_value = ?4",
            rusqlite::params![merge, format!("attendee:{hans_at}"), hans.to_string(), other.lead.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1, "the invitation's move is in the merge's change log");
    f.core.unmerge(&f.admin, merge).unwrap();
    assert_eq!(invitees(&f, &dana, appointment), before, "unmerge gives the invitation back");

    // Zoe, the appointment's lead, merged into Hans, who was invited to it: the appointment and Zoe's
    // invitation go to Hans and come back; Hans's own invitation stays his.
    let merge = f.core.merge_leads(&f.admin, hans, &[zoe.id], &[]).unwrap().merge_id;
    assert_eq!(f.core.appointment(&dana, appointment).unwrap().lead_id, Some(hans));
    assert!(invitees(&f, &dana, appointment).contains(&(zoe_at.clone(), Some(hans))));
    f.core.unmerge(&f.admin, merge).unwrap();
    assert_eq!(f.core.appointment(&dana, appointment).unwrap().lead_id, Some(zoe.id));
    assert_eq!(invitees(&f, &dana, appointment), before, "Hans's own invitation is not handed to Zoe");
}

const WEEKLY: &str = "BEGIN:VCALENDAR
METHOD:REQUEST
VERSION:2.0
BEGIN:VEVENT
UID:weekly-1@example.com
SEQUENCE:0
DTSTART:20261207T100000Z
DTEND:20261207T110000Z
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Weekly sync
END:VEVENT
END:VCALENDAR
";

/// One meeting of [`WEEKLY`] (`rid`) moved by its organizer to `start`..`end` (SEQUENCE 1).
fn weekly_moved(rid: &str, start: &str, end: &str) -> String {
    WEEKLY
        .replace("SEQUENCE:0", &format!("SEQUENCE:1\nRECURRENCE-ID:{rid}"))
        .replace("20261207T100000Z", start)
        .replace("20261207T110000Z", end)
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "")
}

/// Dana, in UTC, with the weekly series imported into her calendar; her user id.
fn dana_with_weekly() -> (Fixture, Actor, i64) {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let r = f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap().remove(0);
    assert_eq!(r.created, 1, "{r:?}");
    (f, dana, id)
}

/// A repeating meeting says when its last meeting ends, so the lead page can tell a series that is over from
/// one still going: four weeks end on the fourth; one with no end, and a single meeting, say none.
#[test]
fn a_repeating_meeting_says_when_its_last_meeting_ends() {
    let (f, dana, _) = dana_with_weekly();
    let list = f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap().remove(0);
    let series = f.core.appointment(&dana, list.appointment_ids[0]).unwrap();
    assert_eq!(series.last_end.as_deref(), Some("2026-12-28T11:00:00Z"), "{series:?}");
    let endless = WEEKLY.replace("weekly-1@example.com", "weekly-2@example.com").replace(";COUNT=4", "");
    let r = f.core.import_ics(&dana, &[ics("endless.ics", &endless)], None).unwrap().remove(0);
    assert_eq!(f.core.appointment(&dana, r.appointment_ids[0]).unwrap().last_end, None);
    let until =
        WEEKLY.replace("weekly-1@example.com", "weekly-3@example.com").replace("COUNT=4", "UNTIL=20261215T000000Z");
    let r = f.core.import_ics(&dana, &[ics("until.ics", &until)], None).unwrap().remove(0);
    let a = f.core.appointment(&dana, r.appointment_ids[0]).unwrap();
    assert_eq!(a.last_end.as_deref(), Some("2026-12-14T11:00:00Z"), "{a:?}");
    let once = WEEKLY.replace("weekly-1@example.com", "once-1@example.com").replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let r = f.core.import_ics(&dana, &[ics("once.ics", &once)], None).unwrap().remove(0);
    assert_eq!(f.core.appointment(&dana, r.appointment_ids[0]).unwrap().last_end, None);
    // Its last meeting moved a week on: the series ends with it.
    let moved = weekly_moved("20261228T100000Z", "20270104T100000Z", "20270104T110000Z");
    f.core.import_ics(&dana, &[ics("move-last.ics", &moved)], None).unwrap();
    let series = f.core.appointment(&dana, list.appointment_ids[0]).unwrap();
    assert_eq!(series.last_end.as_deref(), Some("2027-01-04T11:00:00Z"), "{series:?}");
}

/// One instance of a series cancelled (METHOD:CANCEL with its RECURRENCE-ID) is that instance, cancelled and
/// free; the whole series cancelled takes its changed instances with it.
#[test]
fn a_cancelled_instance_of_a_series_frees_its_slot_and_a_cancelled_series_takes_all_of_them() {
    let (f, dana, id) = dana_with_weekly();
    let one = WEEKLY
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("SEQUENCE:0", "SEQUENCE:1\nRECURRENCE-ID:20261214T100000Z\nSTATUS:CANCELLED")
        .replace("20261207T1", "20261214T1")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let r = f.core.import_ics(&dana, &[ics("cancel-one.ics", &one)], None).unwrap().remove(0);
    assert_eq!(r.cancelled, 1, "{r:?}");
    // Sent on, that cancellation is of the one instance: the series beside it would cancel every week.
    let sent = f.core.export_invite(&dana, r.appointment_ids[0]).unwrap();
    assert!(sent.contains("METHOD:CANCEL"), "{sent}");
    assert_eq!((sent.matches("BEGIN:VEVENT").count(), sent.matches("RECURRENCE-ID").count()), (1, 1), "{sent}");
    assert!(!sent.contains("RRULE"), "{sent}");
    let weeks = || {
        f.core
            .occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z")
            .unwrap()
            .into_iter()
            .map(|o| (o.start, o.status == AppointmentStatus::Cancelled, o.busy))
            .collect::<Vec<_>>()
    };
    let seen = weeks();
    assert_eq!(seen.len(), 4, "{seen:?}");
    let cancelled: Vec<bool> = seen.iter().map(|w| w.1).collect();
    assert_eq!(cancelled, [false, true, false, false], "{seen:?}");
    assert!(!seen[1].2, "the cancelled instance's slot is free");
    // The third week moved to the afternoon: a changed instance, confirmed.
    let moved = weekly_moved("20261221T100000Z", "20261221T140000Z", "20261221T150000Z");
    let r = f.core.import_ics(&dana, &[ics("move-one.ics", &moved)], None).unwrap().remove(0);
    assert_eq!(r.created, 1, "{r:?}");
    assert!(weeks().iter().any(|w| w.0.starts_with("2026-12-21T14:00") && !w.1 && w.2), "{:?}", weeks());
    let all = WEEKLY.replace("METHOD:REQUEST", "METHOD:CANCEL").replace("SEQUENCE:0", "SEQUENCE:2\nSTATUS:CANCELLED");
    let r = f.core.import_ics(&dana, &[ics("cancel-all.ics", &all)], None).unwrap().remove(0);
    assert_eq!(r.cancelled, 1, "{r:?}");
    let seen = weeks();
    assert!(seen.iter().all(|w| w.1 && !w.2), "{seen:?}");
}

/// A series cancelled, then sent again newer (its organizer took the cancellation back): the meetings its
/// cancellation took come back with it, a moved one at its new time, and a meeting cancelled alone before, which
/// the newer series no longer excludes (organizers write a meeting they cancelled as an EXDATE of every later
/// copy), is the series' again. They stayed cancelled in a series confirmed again. A meeting the rep cancelled
/// here stays cancelled.
#[test]
fn a_series_sent_again_after_its_cancellation_brings_back_its_meetings() {
    let (f, dana, id) = dana_with_weekly();
    let import = |name: &str, text: &str| f.core.import_ics(&dana, &[ics(name, text)], None).unwrap().remove(0);
    let one = WEEKLY
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("SEQUENCE:0", "SEQUENCE:1\nRECURRENCE-ID:20261214T100000Z\nSTATUS:CANCELLED")
        .replace("20261207T1", "20261214T1")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let cancelled_alone = import("cancel-one.ics", &one).appointment_ids[0];
    import("move-3.ics", &weekly_moved("20261221T100000Z", "20261221T140000Z", "20261221T150000Z"));
    let fourth = import("move-4.ics", &weekly_moved("20261228T100000Z", "20261228T140000Z", "20261228T150000Z"));
    f.core.set_appointment_status(&dana, fourth.appointment_ids[0], AppointmentStatus::Cancelled).unwrap();
    let weeks = || {
        f.core
            .occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z")
            .unwrap()
            .into_iter()
            .map(|o| (o.start[..16].to_string(), o.status == AppointmentStatus::Cancelled))
            .collect::<Vec<_>>()
    };
    let all = WEEKLY.replace("METHOD:REQUEST", "METHOD:CANCEL").replace("SEQUENCE:0", "SEQUENCE:2\nSTATUS:CANCELLED");
    import("cancel-all.ics", &all);
    assert!(weeks().iter().all(|w| w.1), "{:?}", weeks());

    let r = import("again.ics", &WEEKLY.replace("SEQUENCE:0", "SEQUENCE:3"));
    assert_eq!(r.updated, 1, "{r:?}");
    let expected = [
        ("2026-12-07T10:00", false),
        ("2026-12-14T10:00", false),
        ("2026-12-21T14:00", false),
        ("2026-12-28T14:00", true),
    ];
    assert_eq!(weeks(), expected.map(|(s, c)| (s.to_string(), c)));
    assert!(f.core.appointment(&dana, cancelled_alone).is_err(), "the cancellation the series overrides is gone");
    let removal: i64 = f
        .sql()
        .query_row(
            "SELECT count(*) FROM change_log WHERE entity = 'appointment' AND entity_id = ?1 AND new_value IS NULL",
            [cancelled_alone],
            |r| r.get(0),
        )
        .unwrap();
    assert!(removal > 0, "its removal is in the change log");
    // The same copy again changes nothing.
    let r = import("again.ics", &WEEKLY.replace("SEQUENCE:0", "SEQUENCE:3"));
    assert_eq!((r.updated, r.unchanged), (0, 1), "{r:?}");
}

/// A newer copy of a series that excludes the meeting cancelled alone (as organizers write it) keeps that
/// cancellation; so does a copy no newer than it.
#[test]
fn a_newer_series_that_excludes_a_cancelled_meeting_keeps_its_cancellation() {
    let (f, dana, id) = dana_with_weekly();
    let import = |name: &str, text: &str| f.core.import_ics(&dana, &[ics(name, text)], None).unwrap().remove(0);
    let one = WEEKLY
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("SEQUENCE:0", "SEQUENCE:2\nRECURRENCE-ID:20261214T100000Z\nSTATUS:CANCELLED")
        .replace("20261207T1", "20261214T1")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let cancelled = import("cancel-one.ics", &one).appointment_ids[0];
    import("renamed.ics", &WEEKLY.replace("SEQUENCE:0", "SEQUENCE:2").replace("Weekly sync", "Weekly sync (new room)"));
    assert_eq!(f.core.appointment(&dana, cancelled).unwrap().status, AppointmentStatus::Cancelled);
    let excluded = WEEKLY.replace("SEQUENCE:0", "SEQUENCE:3\nEXDATE:20261214T100000Z");
    import("excluded.ics", &excluded);
    assert_eq!(f.core.appointment(&dana, cancelled).unwrap().status, AppointmentStatus::Cancelled);
    let starts: Vec<String> = f
        .core
        .occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z")
        .unwrap()
        .into_iter()
        .filter(|o| o.status != AppointmentStatus::Cancelled)
        .map(|o| o.start[..10].to_string())
        .collect();
    assert_eq!(starts, ["2026-12-07", "2026-12-21", "2026-12-28"]);
}

/// Invited to one meeting of a series only (Google sends that meeting alone, with its RECURRENCE-ID), then the
/// whole series cancelled: that meeting is off. The cancellation found no series stored and was dropped, "no
/// such appointment", the meeting left confirmed and busy.
#[test]
fn a_cancelled_series_cancels_the_single_meeting_of_it_one_was_invited_to() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    let one =
        weekly_moved("20261214T100000Z", "20261214T100000Z", "20261214T110000Z").replace("SEQUENCE:1", "SEQUENCE:0");
    let r = f.core.import_ics(&dana, &[ics("one-of-them.ics", &one)], None).unwrap().remove(0);
    assert_eq!(r.created, 1, "{r:?}");
    let id = r.appointment_ids[0];
    let all = WEEKLY.replace("METHOD:REQUEST", "METHOD:CANCEL").replace("SEQUENCE:0", "SEQUENCE:1\nSTATUS:CANCELLED");
    let r = f.core.import_ics(&dana, &[ics("cancel-all.ics", &all)], None).unwrap().remove(0);
    assert_eq!((r.cancelled, r.created, r.appointment_ids.clone()), (1, 0, vec![id]), "{r:?}");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let a = f.core.appointment(&dana, id).unwrap();
    assert_eq!(a.status, AppointmentStatus::Cancelled);
    // The invite and the series' cancellation in one file (a mail thread saved whole): the same.
    let erin = f.user("erin", Role::Editor, &[]);
    agent_settings(&f, &erin, "UTC", 0);
    let thread = format!("{all}{one}");
    let r = f.core.import_ics(&erin, &[ics("thread.ics", &thread)], None).unwrap().remove(0);
    let ids = r.appointment_ids.clone();
    assert!(
        ids.iter().all(|id| f.core.appointment(&erin, *id).unwrap().status == AppointmentStatus::Cancelled),
        "{r:?}"
    );
    assert!(!ids.is_empty() && r.warnings.is_empty(), "{r:?}");
    let seen = f.core.occurrences(&dana, &[dana.user_id().unwrap()], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z");
    let seen: Vec<_> = seen.unwrap().into_iter().map(|o| (o.start, o.status)).collect();
    assert_eq!(
        seen,
        [("2026-12-14T10:00:00Z".to_string(), AppointmentStatus::Cancelled)],
        "no series made of the cancellation"
    );
}

/// A mail thread saved as one file, or files given in any order: the cancellation (SEQUENCE 1) read before the
/// invite it cancels (SEQUENCE 0) still cancels it. It was dropped as "no such appointment", then the invite
/// created the meeting, confirmed.
#[test]
fn a_cancellation_read_before_its_invite_still_cancels_it() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    let cancel =
        WEEKLY.replace("METHOD:REQUEST", "METHOD:CANCEL").replace("SEQUENCE:0", "SEQUENCE:1\nSTATUS:CANCELLED");
    let thread = format!("{cancel}{WEEKLY}");
    let r = f.core.import_ics(&dana, &[ics("thread.ics", &thread)], None).unwrap().remove(0);
    let a = f.core.appointment(&dana, r.appointment_ids[0]).unwrap();
    assert_eq!(a.status, AppointmentStatus::Cancelled, "{r:?}");
    // Given as two files, the cancellation first: the same.
    let g = fixture();
    let erin = g.user("erin", Role::Editor, &[]);
    agent_settings(&g, &erin, "UTC", 0);
    let reports = g.core.import_ics(&erin, &[ics("cancel.ics", &cancel), ics("invite.ics", WEEKLY)], None).unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].cancelled, 1, "each file's report in the order given: {reports:?}");
    assert_eq!(reports[1].created, 1, "{reports:?}");
    let a = g.core.appointment(&erin, reports[1].appointment_ids[0]).unwrap();
    assert_eq!(a.status, AppointmentStatus::Cancelled, "{reports:?}");
}

/// A repetition that cannot be read is said for a meeting marked free (a trade fair, a holiday) as for a busy
/// one: the free one became a single meeting without a word.
#[test]
fn a_free_meetings_unreadable_repetition_is_said() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    for (uid, transp) in [("busy-1@example.com", ""), ("free-1@example.com", "TRANSP:TRANSPARENT\n")] {
        let file = WEEKLY
            .replace("weekly-1@example.com", uid)
            .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", &format!("RRULE:FREQ=WEEKLY;BYDAY=XX\n{transp}"));
        let r = f.core.import_ics(&dana, &[ics("fair.ics", &file)], None).unwrap().remove(0);
        assert_eq!(r.created, 1, "{r:?}");
        assert!(r.warnings.iter().any(|w| w.contains("only its first occurrence")), "{uid}: {:?}", r.warnings);
    }
}

/// Cancellations as servers and mail programs really send them. RFC 5546's minimum (UID, SEQUENCE, a time, no
/// repetition, no notes), and Outlook's ("Canceled: " before the title, its note as the description, marked
/// free): the meeting is cancelled as it was, its notes, place, invitees and four weeks kept, and set back to
/// Confirmed it takes its time again. They were read as new copies: the notes wiped, the series cut to one
/// meeting, and Outlook's free mark left it free once confirmed again.
#[test]
fn a_cancellation_cancels_the_meeting_as_it_was_and_takes_nothing_else_from_it() {
    for outlook in [false, true] {
        let f = fixture();
        let dana = f.user("dana", Role::Editor, &[]);
        let id = dana.user_id().unwrap();
        agent_settings(&f, &dana, "UTC", 0);
        let full = WEEKLY.replace(
            "SUMMARY:Weekly sync\n",
            "SUMMARY:Weekly sync\nLOCATION:Room 4\nDESCRIPTION:Agenda: pricing\n\
ATTENDEE;CN=Ann Lee:mailto:ann@lee.io\nATTENDEE;CN=Bo Ray:mailto:bo@ray.io\n",
        );
        let series = f.core.import_ics(&dana, &[ics("weekly.ics", &full)], None).unwrap().remove(0).appointment_ids[0];
        let before = f.core.appointment(&dana, series).unwrap();
        let cancel = if outlook {
            "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:1\n\
DTSTART:20261207T100000Z\nDTEND:20261207T110000Z\nRRULE:FREQ=WEEKLY;COUNT=4\nSUMMARY:Canceled: Weekly sync\n\
DESCRIPTION:Sorry, we have to drop this one.\nSTATUS:CANCELLED\nTRANSP:TRANSPARENT\n\
X-MICROSOFT-CDO-BUSYSTATUS:FREE\nATTENDEE:mailto:ann@lee.io\nEND:VEVENT\nEND:VCALENDAR\n"
        } else {
            "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:1\n\
DTSTART:20261207T100000Z\nDTEND:20261207T110000Z\nSUMMARY:Weekly sync\nEND:VEVENT\nEND:VCALENDAR\n"
        };
        let r = f.core.import_ics(&dana, &[ics("cancel.ics", cancel)], None).unwrap().remove(0);
        assert_eq!(r.cancelled, 1, "{r:?}");
        let after = f.core.appointment(&dana, series).unwrap();
        assert_eq!(after.status, AppointmentStatus::Cancelled);
        assert_eq!(
            (after.title.as_str(), after.location.as_str(), after.notes.as_str(), after.repeats),
            (before.title.as_str(), before.location.as_str(), before.notes.as_str(), true),
            "outlook: {outlook}"
        );
        assert_eq!(after.attendees, before.attendees, "outlook: {outlook}");
        let weeks = || {
            f.core
                .occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z")
                .unwrap()
                .into_iter()
                .map(|o| (o.status, o.busy))
                .collect::<Vec<_>>()
        };
        assert_eq!(weeks(), vec![(AppointmentStatus::Cancelled, false); 4], "outlook: {outlook}");
        f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap();
        assert_eq!(weeks(), vec![(AppointmentStatus::Confirmed, true); 4], "outlook: {outlook}");
    }
}

/// A meeting of a series moved once, then cancelled "this and following" from it: the later meetings are
/// cancelled too, as the range says (the stored moved meeting's own reach was kept, and they stayed booked).
#[test]
fn a_cancellation_of_this_and_following_from_a_moved_meeting_cancels_the_later_ones() {
    let (f, dana, id) = dana_with_weekly();
    let moved = weekly_moved("20261214T100000Z", "20261214T140000Z", "20261214T150000Z");
    f.core.import_ics(&dana, &[ics("move-one.ics", &moved)], None).unwrap();
    let cancel = "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:2\n\
RECURRENCE-ID;RANGE=THISANDFUTURE:20261214T100000Z\nDTSTART:20261214T140000Z\nDTEND:20261214T150000Z\n\
SUMMARY:Weekly sync\nEND:VEVENT\nEND:VCALENDAR\n";
    let r = f.core.import_ics(&dana, &[ics("cancel-rest.ics", cancel)], None).unwrap().remove(0);
    assert!(r.problems.is_empty(), "{r:?}");
    // The series ends where the cancellation starts: the lead page greys it once that is past.
    let series =
        f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").unwrap()[0].appointment_id;
    assert_eq!(f.core.appointment(&dana, series).unwrap().last_end.as_deref(), Some("2026-12-14T14:00:00Z"));
    let seen = f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z").unwrap();
    let weeks: Vec<(&str, AppointmentStatus, bool)> = seen.iter().map(|o| (&o.start[..10], o.status, o.busy)).collect();
    assert_eq!(
        weeks,
        [
            ("2026-12-07", AppointmentStatus::Confirmed, true),
            ("2026-12-14", AppointmentStatus::Cancelled, false),
            ("2026-12-21", AppointmentStatus::Cancelled, false),
            ("2026-12-28", AppointmentStatus::Cancelled, false),
        ],
        "{seen:?}"
    );
}

/// RFC 5546 lets a cancellation name its meeting by UID alone (older SabreDAV servers, ownCloud and Baïkal,
/// send them so): the meeting is cancelled. It was refused as "an event without DTSTART", and the meeting stayed
/// booked. One of a meeting not in the calendar is said so, as before.
#[test]
fn a_cancellation_naming_its_meeting_by_uid_alone_cancels_it() {
    let (f, dana, id) = dana_with_weekly();
    let cancel = "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:1\n\
ORGANIZER:mailto:boss@example.com\nATTENDEE:mailto:dana@rapport.test\nEND:VEVENT\nEND:VCALENDAR\n";
    let r = f.core.import_ics(&dana, &[ics("cancel.ics", cancel)], None).unwrap().remove(0);
    assert!(r.problems.is_empty(), "{r:?}");
    assert_eq!(r.cancelled, 1, "{r:?}");
    let seen = f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z").unwrap();
    let starts: Vec<(&str, AppointmentStatus)> = seen.iter().map(|o| (&o.start[..16], o.status)).collect();
    assert_eq!(
        starts,
        ["2026-12-07T10:00", "2026-12-14T10:00", "2026-12-21T10:00", "2026-12-28T10:00"]
            .map(|s| (s, AppointmentStatus::Cancelled)),
        "cancelled at its own times"
    );
    let unknown = cancel.replace("weekly-1@example.com", "nothing-here@example.com");
    let r = f.core.import_ics(&dana, &[ics("cancel-2.ics", &unknown)], None).unwrap().remove(0);
    assert!(r.problems.is_empty(), "{r:?}");
    assert!(r.warnings.iter().any(|w| w.contains("no such appointment")), "{r:?}");
}

/// A changed instance that is over by the time its series is set back from cancelled takes no time back: a
/// meeting booked over it meanwhile (now past too) does not refuse the series forever.
#[test]
fn a_series_set_back_after_its_moved_meeting_is_over_is_not_refused_for_it() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let series = f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap().remove(0).appointment_ids[0];
    let moved = weekly_moved("20261221T100000Z", "20261221T140000Z", "20261221T150000Z");
    let moved = f.core.import_ics(&dana, &[ics("move-one.ics", &moved)], None).unwrap().remove(0).appointment_ids[0];
    f.core.set_appointment_status(&dana, series, AppointmentStatus::Cancelled).unwrap();
    f.core.book_appointment(&dana, &booking(id, "Client", "2026-12-21T14:30:00Z", "2026-12-21T15:30:00Z")).unwrap();
    // The next morning.
    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 22, 9, 0, 0).unwrap();
    let later = Arc::new(rapport_core::FixedClock::new(at));
    let core = Rapport::open_with(&f.path, &rapport_core::OpenOptions::default(), later).unwrap();
    let dana = core.sign_in("dana", PASSWORD).unwrap();
    core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap();
    assert_eq!(core.appointment(&dana, moved).unwrap().status, AppointmentStatus::Confirmed);
}

/// Calendars joined end to end in one file (a mail client saving a thread's invitations together) each keep
/// their own METHOD: the first one's was applied to every event, so a later cancellation was imported as an
/// invitation (the meeting stayed booked), and a cancellation first turned a new meeting after it into a
/// cancellation of nothing (dropped with a misleading warning).
#[test]
fn joined_calendars_keep_each_their_own_method() {
    let (f, dana, id) = dana_with_weekly();
    let cancel_one =
        "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:1\n\
RECURRENCE-ID:20261214T100000Z\nDTSTART:20261214T100000Z\nDTEND:20261214T110000Z\nSUMMARY:Weekly sync\nEND:VEVENT\n\
END:VCALENDAR\n";
    let new_meeting = "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:new-meeting-1\nSEQUENCE:0\n\
DTSTART:20261216T140000Z\nDTEND:20261216T150000Z\nSUMMARY:New customer meeting\nEND:VEVENT\nEND:VCALENDAR\n";
    let reply = "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REPLY\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:0\n\
DTSTART:20261207T100000Z\nATTENDEE;PARTSTAT=DECLINED:mailto:someone@example.org\nEND:VEVENT\nEND:VCALENDAR\n";
    let report = f
        .core
        .import_ics(&dana, &[ics("thread.ics", &format!("{cancel_one}{new_meeting}{reply}"))], None)
        .unwrap()
        .remove(0);
    assert_eq!((report.created, report.cancelled), (1, 1), "{report:?}");
    assert!(
        report.warnings.iter().any(|w| w.contains("METHOD:REPLY")),
        "the answer is said to be passed over: {report:?}"
    );
    let seen = f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z").unwrap();
    let of =
        |start: &str| seen.iter().find(|o| o.start.starts_with(start)).unwrap_or_else(|| panic!("{start}: {seen:?}"));
    assert_eq!(of("2026-12-14T10:00").status, AppointmentStatus::Cancelled, "{seen:?}");
    assert_eq!(of("2026-12-16T14:00").status, AppointmentStatus::Confirmed, "{seen:?}");
    assert_eq!(of("2026-12-07T10:00").status, AppointmentStatus::Confirmed, "the reply changed nothing: {seen:?}");
}

/// Exchange and RFC 5546 may send the cancellation of one instance without DTSTART: it was refused ("event without
/// DTSTART"), and the meeting stayed booked. It is that instance, cancelled, its slot free.
#[test]
fn a_cancelled_instance_sent_without_its_start_is_cancelled() {
    let (f, dana, id) = dana_with_weekly();
    let one = "BEGIN:VCALENDAR\nMETHOD:CANCEL\nVERSION:2.0\nBEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:1\n\
               RECURRENCE-ID:20261214T100000Z\nSTATUS:CANCELLED\nEND:VEVENT\nEND:VCALENDAR\n";
    let r = f.core.import_ics(&dana, &[ics("cancel-one.ics", one)], None).unwrap().remove(0);
    assert_eq!(r.cancelled, 1, "{r:?}");
    let seen: Vec<(String, String, bool, bool)> = f
        .core
        .occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z")
        .unwrap()
        .into_iter()
        .map(|o| (o.start, o.end, o.status == AppointmentStatus::Cancelled, o.busy))
        .collect();
    let cancelled: Vec<bool> = seen.iter().map(|w| w.2).collect();
    assert_eq!(cancelled, [false, true, false, false], "{seen:?}");
    assert!(!seen[1].3, "its slot is free: {seen:?}");
    assert_eq!(
        (seen[1].0.as_str(), seen[1].1.as_str()),
        ("2026-12-14T10:00:00Z", "2026-12-14T11:00:00Z"),
        "its series' time"
    );
}

/// A series whose instance the same file moves away: the slot it left is free for the file's other events, not a
/// clash of the series (which was flagged for a time it no longer takes).
#[test]
fn a_series_does_not_clash_where_its_own_file_moved_an_instance_away() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    let moved = "BEGIN:VEVENT\nUID:weekly-1@example.com\nSEQUENCE:1\nRECURRENCE-ID:20261214T100000Z\n\
                 DTSTART:20261214T140000Z\nDTEND:20261214T150000Z\nSUMMARY:Weekly sync\nEND:VEVENT\n";
    let lunch = "BEGIN:VEVENT\nUID:lunch-1@example.com\nDTSTART:20261214T100000Z\nDTEND:20261214T110000Z\n\
                 SUMMARY:Lunch with Acme\nEND:VEVENT\n";
    let file = WEEKLY.replace("END:VCALENDAR", &format!("{moved}{lunch}END:VCALENDAR"));
    let r = f.core.import_ics(&dana, &[ics("moved.ics", &file)], None).unwrap().remove(0);
    assert_eq!(r.created, 3, "{r:?}");
    assert!(r.clashes.is_empty(), "no clash at the time the series left: {:?}", r.clashes);
    // The series still clashes where it does meet: another event at one of its own times is flagged.
    let other = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:z-call-1@example.com\nDTSTART:20261221T103000Z\n\
                 DTEND:20261221T110000Z\nSUMMARY:Call\nEND:VEVENT\nEND:VCALENDAR\n";
    let r = f.core.import_ics(&dana, &[ics("call.ics", other)], None).unwrap().remove(0);
    assert_eq!(r.clashes.len(), 1, "{r:?}");
}

/// A series cancelled here, not by a file, takes its changed instances with it too: their slots free, their
/// reminders stopped.
#[test]
fn a_series_cancelled_in_rapport_cancels_its_changed_instances() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let r = f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap().remove(0);
    let series = r.appointment_ids[0];
    let moved = weekly_moved("20261221T100000Z", "20261221T140000Z", "20261221T150000Z");
    f.core.import_ics(&dana, &[ics("move-one.ics", &moved)], None).unwrap();
    f.core.set_appointment_status(&dana, series, AppointmentStatus::Cancelled).unwrap();
    let seen = f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z").unwrap();
    assert!(seen.iter().all(|o| o.status == AppointmentStatus::Cancelled && !o.busy), "{seen:?}");
    f.core.book_appointment(&dana, &booking(id, "Now free", "2026-12-21T14:00:00Z", "2026-12-21T15:00:00Z")).unwrap();
}

/// A series set back from cancelled brings back the changed instances its cancellation took (their times checked
/// like its own), and leaves cancelled an instance cancelled on its own before.
#[test]
fn a_series_set_back_from_cancelled_brings_back_the_instances_it_took() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let series = f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap().remove(0).appointment_ids[0];
    let changed = |week: &str, start: &str, end: &str| {
        WEEKLY
            .replace("SEQUENCE:0", &format!("SEQUENCE:1\nRECURRENCE-ID:{week}"))
            .replace("20261207T100000Z", start)
            .replace("20261207T110000Z", end)
            .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "")
    };
    let moved = changed("20261221T100000Z", "20261221T140000Z", "20261221T150000Z");
    let moved = f.core.import_ics(&dana, &[ics("move-one.ics", &moved)], None).unwrap().remove(0).appointment_ids[0];
    let called_off = changed("20261214T100000Z", "20261214T100000Z", "20261214T110000Z");
    let called_off =
        f.core.import_ics(&dana, &[ics("one-off.ics", &called_off)], None).unwrap().remove(0).appointment_ids[0];
    f.core.set_appointment_status(&dana, called_off, AppointmentStatus::Cancelled).unwrap();
    f.core.set_appointment_status(&dana, series, AppointmentStatus::Cancelled).unwrap();
    let status = |a: i64| f.core.appointment(&dana, a).unwrap().status;
    assert_eq!(status(moved), AppointmentStatus::Cancelled);

    // The moved instance's time was booked meanwhile: setting the series back is refused, and names it.
    let other =
        f.core.book_appointment(&dana, &booking(id, "Client", "2026-12-21T14:30:00Z", "2026-12-21T15:30:00Z")).unwrap();
    let before = f.dump();
    let err = f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    assert!(err.to_string().contains("“Client”"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");

    f.core.set_appointment_status(&dana, other.id, AppointmentStatus::Cancelled).unwrap();
    f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap();
    assert_eq!(status(moved), AppointmentStatus::Confirmed, "taken by the series' cancellation, back with it");
    assert_eq!(status(called_off), AppointmentStatus::Cancelled, "cancelled on its own before");
    let busy = f.core.book_appointment(&dana, &booking(id, "Over it", "2026-12-21T14:00:00Z", "2026-12-21T14:30:00Z"));
    assert_eq!(busy.unwrap_err().code(), ErrorCode::DoubleBooked);
}

#[test]
fn a_malformed_event_is_named_by_line_and_the_rest_imported_with_clashes_flagged() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    f.core
        .book_appointment(&dana, &booking(id, "Booked in Rapport", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"))
        .unwrap();
    let file = "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:good-1
SUMMARY:Overlapping
DTSTART:20261203T093000Z
DTEND:20261203T103000Z
END:VEVENT
BEGIN:VEVENT
UID:bad-1
SUMMARY:Broken
DTSTART:2026-12-04 10:00
DTEND:20261204T110000Z
END:VEVENT
BEGIN:VEVENT
UID:good-2
SUMMARY:Fine
Dear Team, a description line its writer did not fold
DTSTART:20261205T093000Z
DTEND:20261205T103000Z
END:VEVENT
END:VCALENDAR
";
    let r = f.core.import_ics(&dana, &[ics("mixed.ics", file)], None).unwrap().remove(0);
    assert_eq!(r.created, 2, "{r:?}");
    assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 13, "the line of the bad DTSTART");
    assert!(r.problems[0].message.contains("DTSTART"), "{:?}", r.problems);
    // The broken event is an event not imported; the stray line is a line skipped in an event that was read.
    assert_eq!(
        r.problems.iter().map(|p| (p.line, p.event)).collect::<Vec<_>>(),
        [(13, true), (19, false)],
        "{:?}",
        r.problems
    );
    assert_eq!(r.clashes.len(), 1, "{r:?}");
    assert!(r.clashes[0].contains("Booked in Rapport"), "{:?}", r.clashes);
    let occ = f.core.occurrences(&dana, &[id], "2026-12-03T00:00:00Z", "2026-12-06T00:00:00Z").unwrap();
    let overlapping = occ.iter().find(|o| o.summary == "Overlapping").unwrap();
    assert!(overlapping.clash.as_deref().unwrap().contains("Booked in Rapport"), "flagged, not silently double-booked");
}

#[test]
fn reminders_fire_once_and_survive_a_restart() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    let mut cal = f.core.agent_calendar(&dana, id).unwrap();
    cal.reminder_minutes = vec![15, 60];
    f.core.update_agent_calendar(&dana, cal).unwrap();
    // The fixture's clock reads 2026-11-23 09:00Z.
    f.core.book_appointment(&dana, &booking(id, "Soon", "2026-11-23T09:10:00Z", "2026-11-23T09:40:00Z")).unwrap();
    f.core
        .book_appointment(&dana, &booking(id, "Later today", "2026-11-23T12:00:00Z", "2026-11-23T12:30:00Z"))
        .unwrap();
    let due = f.core.take_due_reminders(&dana).unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!((due[0].title.as_str(), due[0].minutes), ("Soon", 15), "the nearest passed offset only");
    assert!(f.core.take_due_reminders(&dana).unwrap().is_empty(), "once");
    let reopened = Rapport::open_with(&f.path, &rapport_core::OpenOptions::default(), common::clock()).unwrap();
    let dana2 = reopened.sign_in("dana", PASSWORD).unwrap();
    assert!(reopened.take_due_reminders(&dana2).unwrap().is_empty(), "not again after a restart");
}

#[test]
fn allocation_filters_by_expertise_and_territory_explains_and_is_fair() {
    let f = fixture();
    let setup = |name: &str, expertise: &[&str], territories: &[&str], weight: u32| {
        let a = f.user(name, Role::Editor, &[]);
        let mut cal = f.core.agent_calendar(&a, a.user_id().unwrap()).unwrap();
        cal.time_zone = "Europe/Berlin".into();
        cal.working_hours =
            (0..5).map(|d| WorkingHours { weekday: d, start: "08:00".into(), end: "18:00".into() }).collect();
        cal.expertise = expertise.iter().map(|s| s.to_string()).collect();
        cal.territories = territories.iter().map(|s| s.to_string()).collect();
        cal.weight = weight;
        // Who is offered first is an Administrator's setting; the rest, the agent's.
        let mut own = cal.clone();
        (own.expertise, own.territories, own.weight) = (vec![], vec![], 100);
        f.core.update_agent_calendar(&a, own).unwrap();
        f.core.update_agent_calendar(&f.admin, cal).unwrap();
        a
    };
    let dana = setup("Dana", &["german"], &["DE"], 100);
    let erik = setup("Erik", &["german"], &["DE-80"], 200);
    let _fay = setup("Fay", &["french"], &["FR"], 100);
    let _gus = setup("Gus", &["german"], &["AT"], 100);
    let mut munich = lead("Max", "Huber", "max@huber.de");
    munich.address.country = "DE".into();
    munich.address.postcode = "80331".into();
    let max = f.core.create_lead(&dana, &munich, &Origin::manual()).unwrap().lead;

    let request = SlotRequest {
        lead_id: Some(max.id),
        expertise: vec!["German".into()],
        duration_minutes: 30,
        per_agent: 1,
        ..Default::default()
    };
    let s = f.core.find_slots(&dana, &request).unwrap();
    let names: std::collections::BTreeSet<&str> = s.iter().map(|x| x.agent_name.as_str()).collect();
    assert_eq!(names, ["Dana", "Erik"].into_iter().collect(), "French speaker and Austria's agent filtered out");
    let dana_line = s.iter().find(|x| x.agent_name == "Dana").unwrap();
    assert!(
        dana_line.explanation.starts_with("Dana: expertise german, territory DE, 0 meetings this week"),
        "{}",
        dana_line.explanation
    );
    assert!(s.iter().find(|x| x.agent_name == "Erik").unwrap().explanation.contains("territory DE-80"));

    // 100 bookings, each taking the top suggestion: Erik (weight 200) gets about twice Dana's share.
    let mut count = std::collections::HashMap::new();
    for _ in 0..100 {
        let s = f.core.find_slots(&dana, &SlotRequest { per_agent: 1, ..request.clone() }).unwrap();
        let top = &s[0];
        let mut b = booking(top.agent_id, "Intro", &top.start, &top.end);
        b.lead_id = Some(max.id);
        f.core.book_appointment(&dana, &b).unwrap();
        *count.entry(top.agent_name.clone()).or_insert(0) += 1;
    }
    let (d, e) = (count["Dana"], count["Erik"]);
    assert_eq!(d + e, 100);
    assert!((31..=36).contains(&d) && (64..=69).contains(&e), "weighted round-robin 1:2, got Dana {d}, Erik {e}");

    // A manual choice overrides the filters, and says so.
    let manual =
        f.core.find_slots(&dana, &SlotRequest { agents: vec![_fay.user_id().unwrap()], ..request.clone() }).unwrap();
    assert!(manual[0].explanation.contains("chosen by you"), "{}", manual[0].explanation);

    // A lead's country as people type it (a web form, a trade-fair list) is the country its code names.
    for typed in ["Germany", "deutschland", "DEU"] {
        let mut other = lead("Moritz", "Huber", &format!("m.{}@huber.de", typed.len()));
        other.address.country = typed.into();
        other.address.postcode = "80331".into();
        let id = f.core.create_lead(&dana, &other, &Origin::manual()).unwrap().lead.id;
        let s = f.core.find_slots(&dana, &SlotRequest { lead_id: Some(id), per_agent: 1, ..request.clone() }).unwrap();
        let names: std::collections::BTreeSet<&str> = s.iter().map(|x| x.agent_name.as_str()).collect();
        assert_eq!(names, ["Dana", "Erik"].into_iter().collect(), "country typed {typed:?}");
    }
    // A territory written as people write it matches too: "UK" is the code "GB".
    let _hal = setup("Hal", &["german"], &["UK"], 100);
    let mut london = lead("Liz", "Ford", "liz@ford.co.uk");
    london.address.country = "United Kingdom".into();
    let liz = f.core.create_lead(&dana, &london, &Origin::manual()).unwrap().lead.id;
    let s = f.core.find_slots(&dana, &SlotRequest { lead_id: Some(liz), per_agent: 1, ..request.clone() }).unwrap();
    let names: std::collections::BTreeSet<&str> = s.iter().map(|x| x.agent_name.as_str()).collect();
    assert_eq!(names, ["Hal"].into_iter().collect());
    // Without a lead, a colleague's calendar is not an Editor's to book in (booking refuses it): only their own
    // is offered; an Administrator gets everyone who matches.
    let no_lead = SlotRequest { lead_id: None, country: "DE".into(), postcode: "80331".into(), ..request.clone() };
    let own: Vec<i64> = f.core.find_slots(&dana, &no_lead).unwrap().iter().map(|x| x.agent_id).collect();
    assert_eq!(own, [dana.user_id().unwrap()]);
    let s = f.core.find_slots(&f.admin, &no_lead).unwrap();
    let names: std::collections::BTreeSet<&str> = s.iter().map(|x| x.agent_name.as_str()).collect();
    assert_eq!(names, ["Dana", "Erik"].into_iter().collect());
    let _ = erik;
}

#[test]
fn campaign_isolation_hides_appointments_of_leads_outside_scope() {
    let f = fixture();
    // The agent works on both campaigns: Autumn's team books its leads' meetings in their calendar too.
    let spring = f.user("spring", Role::Editor, &["Spring", "Autumn"]);
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let mut l = lead("Ann", "Lee", "ann@lee.com");
    l.campaign = "Spring".into();
    let ann = f.core.create_lead(&spring, &l, &Origin::manual()).unwrap().lead;
    let mut b = lead("Bo", "Berg", "bo@berg.com");
    b.campaign = "Autumn".into();
    let bo = f.core.create_lead(&autumn, &b, &Origin::manual()).unwrap().lead;
    let agent = spring.user_id().unwrap();
    let mut b = booking(agent, "Secret deal with Ann", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z");
    b.lead_id = Some(ann.id);
    let a = f.core.book_appointment(&spring, &b).unwrap();

    assert_eq!(f.core.appointment(&autumn, a.id).unwrap_err().code(), ErrorCode::NotFound);
    let occ = f.core.occurrences(&autumn, &[agent], "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").unwrap();
    assert_eq!(occ.len(), 1, "the time shows as busy");
    assert!(occ[0].hidden && occ[0].summary == "Busy" && occ[0].lead_id.is_none());
    // Nor its UID, which another tool's invite often makes of a name or an address.
    assert_ne!(occ[0].uid, a.uid);
    let mut mine = booking(agent, "Mine", "2026-12-03T09:30:00Z", "2026-12-03T10:00:00Z");
    mine.lead_id = Some(bo.id);
    let err = f.core.book_appointment(&autumn, &mine).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    assert!(err.to_string().contains("another appointment") && !err.to_string().contains("Secret"), "{err}");
    let export = f.core.export_agent_calendar(&autumn, agent).unwrap();
    assert!(!export.contains("Secret") && !export.contains(&a.uid), "{export}");
    for result in [
        f.core.set_appointment_status(&autumn, a.id, AppointmentStatus::Cancelled).map(|_| ()),
        f.core.set_confirmation(&autumn, a.id, Confirmation::Sent).map(|_| ()),
        f.core.move_appointment(&autumn, a.id, a.version, "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z").map(|_| ()),
        f.core.export_invite(&autumn, a.id).map(|_| ()),
        f.core.lead_appointments(&autumn, ann.id).map(|_| ()),
    ] {
        assert_eq!(result.unwrap_err().code(), ErrorCode::NotFound);
    }
    let mut b2 = booking(agent, "x", "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z");
    b2.lead_id = Some(ann.id);
    assert_eq!(f.core.book_appointment(&autumn, &b2).unwrap_err().code(), ErrorCode::NotFound);
}

/// A colleague's own events (a private appointment, an invite from their calendar) are theirs: an Editor cannot
/// book into their calendar without a lead, nor rename, move, cancel or confirm what is theirs, nor take a
/// meeting's lead off (each would be pushed to the colleague's calendar server). A meeting with a lead of the
/// team, booked in Rapport, the team reschedules; an Administrator changes anything.
#[test]
fn an_agent_s_own_events_are_theirs_and_the_team_s_lead_meetings_the_team_s() {
    let f = fixture();
    let sam = f.user("sam", Role::Editor, &["Spring"]);
    let dana = f.user("dana", Role::Editor, &["Spring"]);
    let sam_id = sam.user_id().unwrap();
    let mut l = lead("Ann", "Lee", "ann@lee.com");
    l.campaign = "Spring".into();
    let ann = f.core.create_lead(&sam, &l, &Origin::manual()).unwrap().lead;
    let dentist = f
        .core
        .book_appointment(&sam, &booking(sam_id, "Dentist", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"))
        .unwrap();
    let invite =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//T//EN\nBEGIN:VEVENT\nUID:sam-own-1\nDTSTART:20261204T090000Z\n\
DURATION:PT1H\nSUMMARY:Board dinner\nATTENDEE;CN=New Person:mailto:new.person@example.org\nEND:VEVENT\nEND:VCALENDAR\n";
    f.core.import_ics(&sam, &[ics("own.ics", invite)], None).unwrap();
    let occ = f.core.occurrences(&sam, &[sam_id], "2026-12-04T00:00:00Z", "2026-12-05T00:00:00Z").unwrap();
    let dinner = f.core.appointment(&sam, occ[0].appointment_id).unwrap();
    let mut with_ann = booking(sam_id, "Demo for Ann", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z");
    with_ann.lead_id = Some(ann.id);
    let demo = f.core.book_appointment(&sam, &with_ann).unwrap();

    // The calendar says so before anyone tries.
    let may = |who: &Actor, id: i64| f.core.appointment(who, id).unwrap().may_change;
    assert_eq!((may(&dana, dentist.id), may(&dana, dinner.id), may(&dana, demo.id)), (false, false, true));
    assert_eq!((may(&sam, dentist.id), may(&f.admin, dinner.id)), (true, true));
    let week = f.core.occurrences(&dana, &[sam_id], "2026-12-01T00:00:00Z", "2026-12-10T00:00:00Z").unwrap();
    let movable: Vec<(&str, bool)> = week.iter().map(|o| (o.summary.as_str(), o.may_change)).collect();
    assert_eq!(movable, [("Dentist", false), ("Board dinner", false), ("Demo for Ann", true)]);
    let before = f.dump();
    for own in [&dentist, &dinner] {
        let moved = booking(sam_id, "Renamed", "2026-12-08T09:00:00Z", "2026-12-08T10:00:00Z");
        for result in [
            f.core.update_appointment(&dana, own.id, own.version, &moved).map(|_| ()),
            f.core
                .move_appointment(&dana, own.id, own.version, "2026-12-08T09:00:00Z", "2026-12-08T10:00:00Z")
                .map(|_| ()),
            f.core.set_appointment_status(&dana, own.id, AppointmentStatus::Cancelled).map(|_| ()),
            f.core.set_confirmation(&dana, own.id, Confirmation::Sent).map(|_| ()),
            f.core.create_lead_from_attendee(&dana, own.id, "new.person@example.org", None).map(|_| ()),
        ] {
            assert_eq!(result.unwrap_err().code(), ErrorCode::PermissionDenied, "{}", own.title);
        }
    }
    let blocked = booking(sam_id, "Offsite", "2026-12-09T09:00:00Z", "2026-12-09T10:00:00Z");
    assert_eq!(f.core.book_appointment(&dana, &blocked).unwrap_err().code(), ErrorCode::PermissionDenied);
    let mut without_lead = with_ann.clone();
    without_lead.lead_id = None;
    let err = f.core.update_appointment(&dana, demo.id, demo.version, &without_lead).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    assert_eq!(f.dump(), before, "nothing was written");

    // The team's meeting with its lead: moved by a colleague, and another booked for Sam.
    let moved = f.core.move_appointment(&dana, demo.id, demo.version, "2026-12-07T11:00:00Z", "2026-12-07T12:00:00Z");
    assert_eq!(moved.unwrap().start, "2026-12-07T11:00:00Z");
    let mut another = with_ann.clone();
    another.start = "2026-12-10T09:00:00Z".into();
    another.end = "2026-12-10T10:00:00Z".into();
    f.core.book_appointment(&dana, &another).unwrap();
    // Sam's own, by Sam and by an Administrator.
    f.core.set_appointment_status(&sam, dentist.id, AppointmentStatus::Cancelled).unwrap();
    f.core.set_confirmation(&f.admin, dinner.id, Confirmation::Sent).unwrap();
}

/// A meeting re-linked from another campaign's lead to one of the reader's brings none of its past to that
/// lead's timeline: its title and notes then, and which lead it was with, were the other campaign's business.
#[test]
fn a_meeting_re_linked_from_a_hidden_lead_shows_only_its_time_since() {
    let f = fixture();
    let alice = f.user("alice", Role::Editor, &["Alpha"]);
    let mut z = lead("Zoe", "Secret", "zoe@secret.example");
    z.campaign = "Beta".into();
    let zoe = f.core.create_lead(&f.admin, &z, &Origin::manual()).unwrap().lead;
    let mut v = lead("Vic", "Open", "vic@open.example");
    v.campaign = "Alpha".into();
    let vic = f.core.create_lead(&f.admin, &v, &Origin::manual()).unwrap().lead;
    let admin = f.admin.user_id().unwrap();
    let mut b = booking(admin, "Pricing call Zoe", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z");
    b.lead_id = Some(zoe.id);
    b.notes = "Beta deal 50k".into();
    let a = f.core.book_appointment(&f.admin, &b).unwrap();
    let mut relinked = b.clone();
    relinked.lead_id = Some(vic.id);
    relinked.title = "Intro call".into();
    relinked.notes = String::new();
    let a = f.core.update_appointment(&f.admin, a.id, a.version, &relinked).unwrap();
    let mut later = relinked.clone();
    later.location = "Room 4".into();
    f.core.update_appointment(&f.admin, a.id, a.version, &later).unwrap();

    let seen = f.core.lead_history(&alice, vic.id).unwrap();
    let text = format!("{seen:?}");
    assert!(!text.contains("Zoe") && !text.contains("50k"), "{text}");
    assert!(!text.contains(&format!("\"{}\"", zoe.id)), "the lead it was with is not named: {text}");
    let relink = seen.iter().find(|e| e.entity == "appointment" && e.field == "lead").expect("the re-link");
    assert_eq!((relink.old_value.as_deref(), relink.new_value.clone()), (None, Some(vic.id.to_string())));
    assert!(seen.iter().any(|e| e.field == "location" && e.new_value.as_deref() == Some("Room 4")));
    // An Administrator, who sees both, reads it all.
    let all = format!("{:?}", f.core.lead_history(&f.admin, vic.id).unwrap());
    assert!(all.contains("Pricing call Zoe") && all.contains("50k"), "{all}");
}

/// A keychain that must not be reached: the role is refused before any secret is touched.
struct NoKeychain;

impl rapport_core::secrets::Secrets for NoKeychain {
    fn set(&self, _: &str, _: &str) -> Result<(), rapport_core::secrets::SecretError> {
        panic!("the keychain was reached before the role was checked")
    }
    fn get(&self, _: &str) -> Result<Option<String>, rapport_core::secrets::SecretError> {
        panic!("the keychain was reached before the role was checked")
    }
    fn delete(&self, _: &str) -> Result<(), rapport_core::secrets::SecretError> {
        panic!("the keychain was reached before the role was checked")
    }
}

#[test]
fn every_calendar_operation_checks_the_role() {
    let f = fixture();
    let viewer = f.user("vic", Role::Viewer, &[]);
    let editor = f.user("ed", Role::Editor, &[]);
    let other = f.user("otto", Role::Editor, &[]);
    let ed = editor.user_id().unwrap();
    let a =
        f.core.book_appointment(&editor, &booking(ed, "x", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")).unwrap();
    let denied = |r: rapport_core::Result<()>| assert_eq!(r.unwrap_err().code(), ErrorCode::PermissionDenied);
    // Viewers read, and change nothing.
    assert!(f.core.occurrences(&viewer, &[ed], "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").is_ok());
    assert!(f.core.appointment(&viewer, a.id).is_ok());
    assert!(f.core.agent_calendars(&viewer).is_ok());
    denied(
        f.core.book_appointment(&viewer, &booking(ed, "y", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")).map(|_| ()),
    );
    denied(
        f.core
            .update_appointment(
                &viewer,
                a.id,
                a.version,
                &booking(ed, "y", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z"),
            )
            .map(|_| ()),
    );
    denied(
        f.core.move_appointment(&viewer, a.id, a.version, "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z").map(|_| ()),
    );
    denied(f.core.set_appointment_status(&viewer, a.id, AppointmentStatus::Completed).map(|_| ()));
    denied(f.core.set_confirmation(&viewer, a.id, Confirmation::Sent).map(|_| ()));
    denied(f.core.import_ics(&viewer, &[ics("a.ics", OUTLOOK_INVITE)], Some(ed)).map(|_| ()));
    denied(f.core.create_lead_from_attendee(&viewer, a.id, "x@y.z", None).map(|_| ()));
    denied(
        f.core
            .update_agent_calendar(&viewer, f.core.agent_calendar(&viewer, viewer.user_id().unwrap()).unwrap())
            .map(|_| ()),
    );
    denied(f.core.add_time_off(&viewer, ed, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", "").map(|_| ()));
    denied(f.core.remove_time_off(&viewer, ed, 1).map(|_| ()));
    let secrets = NoKeychain;
    let caldav = rapport_core::calendar::CaldavConnect {
        calendar_url: "https://caldav.example.invalid/cal/".into(),
        username: "vic".into(),
        password: "secret-password".into(),
    };
    denied(f.core.connect_caldav(&viewer, &caldav, &secrets).map(|_| ()));
    // An address with the password in it is refused before anything is asked or stored, without repeating it.
    let before = f.dump();
    let with_password = rapport_core::calendar::CaldavConnect {
        calendar_url: "https://vic:hunter2-secret@caldav.example.invalid/cal/".into(),
        ..caldav.clone()
    };
    let err = f.core.connect_caldav(&f.admin, &with_password, &secrets).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert_eq!(f.dump(), before);
    denied(f.core.sync_caldav(&viewer, &secrets).map(|_| ()));
    denied(f.core.disconnect_caldav(&viewer, &secrets));
    // Reading is open to Viewers: slots, exports, their own reminders.
    assert!(f.core.find_slots(&viewer, &SlotRequest::default()).is_ok());
    assert!(f.core.export_agent_calendar(&viewer, ed).is_ok());
    assert!(f.core.export_invite(&viewer, a.id).is_ok());
    assert!(f.core.take_due_reminders(&viewer).is_ok());
    // An editor changes their own calendar settings, not another's; an administrator may.
    denied(f.core.update_agent_calendar(&other, f.core.agent_calendar(&other, ed).unwrap()).map(|_| ()));
    // Nor, of their own, those that decide who is offered first (seed 3.1: an Editor alters no configuration).
    let own = other.user_id().unwrap();
    for change in ["weight", "territories", "expertise"] {
        let mut cal = f.core.agent_calendar(&other, own).unwrap();
        match change {
            "weight" => cal.weight = 1000,
            "territories" => cal.territories = vec!["DE".into()],
            _ => cal.expertise = vec!["solar".into()],
        }
        let before = f.dump();
        let err = f.core.update_agent_calendar(&other, cal).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PermissionDenied, "{change}: {err}");
        assert!(err.to_string().contains("Administrator"), "{err}");
        assert_eq!(f.dump(), before, "{change}: nothing written");
    }
    let mut cal = f.core.agent_calendar(&other, own).unwrap();
    cal.buffer_minutes = 20;
    assert_eq!(f.core.update_agent_calendar(&other, cal).unwrap().buffer_minutes, 20, "their buffer is theirs");
    denied(f.core.add_time_off(&other, ed, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", "").map(|_| ()));
    let mut cal = f.core.agent_calendar(&f.admin, ed).unwrap();
    cal.buffer_minutes = 10;
    assert_eq!(f.core.update_agent_calendar(&f.admin, cal).unwrap().buffer_minutes, 10);
    // Deactivation applies on the next call: the session has ended.
    let input = rapport_core::users::UserInput {
        username: "ed".into(),
        display_name: "ed".into(),
        role: Role::Editor,
        active: false,
        campaigns: vec![],
        all_campaigns: true,
    };
    f.core.update_user(&f.admin, ed, &input).unwrap();
    assert_eq!(
        f.core.occurrences(&editor, &[ed], "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").unwrap_err().code(),
        ErrorCode::SessionEnded
    );
}

#[test]
fn a_merged_leads_appointments_follow_it_and_come_back_on_unmerge() {
    let f = fixture();
    let a1 = f.core.create_lead(&f.admin, &lead("Dorothy", "Vaughan", "dv@nasa.gov"), &Origin::manual()).unwrap().lead;
    let a2 =
        f.core.create_lead(&f.admin, &lead("Dorothy", "Vaughn", "dorothy@nasa.gov"), &Origin::manual()).unwrap().lead;
    let admin_id = f.admin.user_id().unwrap();
    let mut b = booking(admin_id, "Meet Dorothy", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z");
    b.lead_id = Some(a2.id);
    let appt = f.core.book_appointment(&f.admin, &b).unwrap();
    let merged = f.core.merge_leads(&f.admin, a1.id, &[a2.id], &[]).unwrap();
    assert_eq!(f.core.appointment(&f.admin, appt.id).unwrap().lead_id, Some(a1.id));
    // The survivor's timeline keeps the meeting's past with the lead merged in (of a campaign the reader works
    // on): its booking, and the lead it was with.
    let dana = f.user("dana", Role::Editor, &[]);
    for reader in [&f.admin, &dana] {
        let history = f.core.lead_history(reader, a1.id).unwrap();
        let of_meeting: Vec<&rapport_core::audit::ChangeEntry> =
            history.iter().filter(|e| e.entity == "appointment" && e.entity_id == appt.id).collect();
        assert!(of_meeting.iter().any(|e| e.field == "*"), "its booking: {of_meeting:?}");
        let moved = of_meeting.iter().find(|e| e.field == "lead").expect("the merge moved it");
        assert_eq!(moved.old_value, Some(a2.id.to_string()), "{moved:?}");
    }
    // An edit form opened after the merge (lead a1) is saved after the unmerge: refused as a conflict, not
    // saved over it (which moved the appointment back to a1 and dropped a2's invite, logged as the rep's).
    let seen = f.core.appointment(&f.admin, appt.id).unwrap();
    f.core.unmerge(&f.admin, merged.merge_id).unwrap();
    assert_eq!(f.core.appointment(&f.admin, appt.id).unwrap().lead_id, Some(a2.id));
    let mut stale = b.clone();
    stale.lead_id = Some(a1.id);
    stale.notes = "Bring the contract".into();
    let err = f.core.update_appointment(&f.admin, appt.id, seen.version, &stale).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err:?}");
    assert_eq!(f.core.appointment(&f.admin, appt.id).unwrap().lead_id, Some(a2.id));
    // And the other way: a form opened before the merge.
    let before = f.core.appointment(&f.admin, appt.id).unwrap();
    f.core.merge_leads(&f.admin, a1.id, &[a2.id], &[]).unwrap();
    let err = f.core.update_appointment(&f.admin, appt.id, before.version, &b).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err:?}");
}

/// A meeting booked with another campaign's lead stays that campaign's business once an Administrator merges the
/// lead into one of this campaign's, as the merged lead's activities do: the survivor's team sees its agent busy,
/// not its title, place or notes, and cannot change it or export its invite. Its own team and the Administrator
/// read it as before. The survivor's team read and could change it all.
#[test]
fn a_meeting_merged_in_from_another_campaign_stays_that_campaigns() {
    let f = fixture();
    let ed_a = f.user("ed_a", Role::Editor, &["A"]);
    let ed_b = f.user("ed_b", Role::Editor, &["B"]);
    let mut alice_a = lead("Alice", "Anders", "alice@example.com");
    alice_a.campaign = "A".into();
    let mut alice_b = alice_a.clone();
    alice_b.campaign = "B".into();
    let keep = f.core.create_lead(&f.admin, &alice_a, &Origin::manual()).unwrap().lead;
    let gone = f.core.create_lead(&f.admin, &alice_b, &Origin::manual()).unwrap().lead;
    let agent_b = ed_b.user_id().unwrap();
    let mut b = booking(agent_b, "B confidential pricing call", "2027-01-20T10:00:00Z", "2027-01-20T11:00:00Z");
    b.lead_id = Some(gone.id);
    b.location = "B secret room".into();
    let appt = f.core.book_appointment(&ed_b, &b).unwrap();
    let merge = f.core.merge_leads(&f.admin, keep.id, &[gone.id], &[]).unwrap();

    assert_eq!(f.core.appointment(&f.admin, appt.id).unwrap().lead_id, Some(keep.id), "it follows the person");
    assert!(f.core.lead_appointments(&ed_a, keep.id).unwrap().iter().all(|a| a.id != appt.id));
    assert_eq!(f.core.appointment(&ed_a, appt.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(f.core.export_invite(&ed_a, appt.id).unwrap_err().code(), ErrorCode::NotFound);
    let seen = f.core.occurrences(&ed_a, &[agent_b], "2027-01-19T00:00:00Z", "2027-01-21T00:00:00Z").unwrap();
    let shown = seen.iter().find(|o| o.appointment_id == appt.id).expect("the agent is busy then");
    assert!(shown.hidden && !shown.may_change && !shown.summary.contains("pricing"), "{shown:?}");
    let before = f.dump();
    let mut moved = b.clone();
    moved.lead_id = Some(keep.id);
    moved.start = "2027-01-20T12:00:00Z".into();
    moved.end = "2027-01-20T13:00:00Z".into();
    assert_eq!(f.core.update_appointment(&ed_a, appt.id, 1, &moved).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(f.dump(), before, "nothing changed");
    // The Administrator reads it whole, and the survivor's own meetings are its team's as before.
    assert_eq!(f.core.appointment(&f.admin, appt.id).unwrap().location, "B secret room");
    let mut own = booking(ed_a.user_id().unwrap(), "A's own call", "2027-01-21T10:00:00Z", "2027-01-21T11:00:00Z");
    own.lead_id = Some(keep.id);
    let own = f.core.book_appointment(&ed_a, &own).unwrap();
    let listed: Vec<i64> = f.core.lead_appointments(&ed_a, keep.id).unwrap().iter().map(|a| a.id).collect();
    assert_eq!(listed, [own.id]);
    // Unmerged, the meeting is back with its lead, and its campaign's again (the unmerge is no merge in).
    f.core.unmerge(&f.admin, merge.merge_id).unwrap();
    assert_eq!(f.core.appointment(&ed_b, appt.id).unwrap().location, "B secret room");
    let theirs = f.core.occurrences(&ed_b, &[agent_b], "2027-01-19T00:00:00Z", "2027-01-21T00:00:00Z").unwrap();
    assert!(theirs.iter().any(|o| o.appointment_id == appt.id && !o.hidden), "{theirs:?}");
}

/// An agent saving their calendar settings from a form opened before an Administrator changed their weight
/// and territories keeps the Administrator's: only what the form changed is written. The same setting changed
/// on both sides is a conflict, not silently taken.
#[test]
fn an_agent_s_save_keeps_settings_an_administrator_changed_since_the_form_was_read() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    let seen = f.core.agent_calendar(&dana, id).unwrap();
    let mut by_admin = seen.clone();
    by_admin.weight = 300;
    by_admin.territories = vec!["DE".into()];
    f.core.update_agent_calendar(&f.admin, by_admin).unwrap();
    let mut form = seen.clone();
    form.buffer_minutes = 15;
    let saved = f.core.update_agent_calendar_as_seen(&dana, Some(seen.clone()), form.clone()).unwrap();
    assert_eq!((saved.buffer_minutes, saved.weight, saved.territories.clone()), (15, 300, vec!["DE".to_string()]));
    let mut clashing = seen.clone();
    clashing.weight = 50;
    let before = f.dump();
    let err = f.core.update_agent_calendar_as_seen(&dana, Some(seen), clashing).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(f.dump(), before);
}

/// The clash note an import stores does not name an appointment of a lead a later reader may not see: an
/// Administrator's import wrote "overlaps “Secret renewal with Bo”", shown to the Spring agent who opens the
/// invite, in its occurrences and in its history.
#[test]
fn a_stored_clash_note_names_no_appointment_of_a_hidden_lead() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &["Spring"]);
    let agent = dana.user_id().unwrap();
    let mut bo = lead("Bo", "Berg", "bo@secret.example");
    bo.campaign = "Autumn".into();
    let bo = f.core.create_lead(&f.admin, &bo, &Origin::manual()).unwrap().lead;
    // Bo's own invite, which the Administrator imports into Dana's calendar (booking it for her is refused).
    let secret = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:secret-1\r\n\
DTSTAMP:20261120T000000Z\r\nDTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Secret renewal with Bo\r\n\
ORGANIZER:mailto:bo@secret.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let secret = f.core.import_ics(&f.admin, &[ics("secret.ics", secret)], Some(agent)).unwrap().remove(0);
    assert_eq!(f.core.appointment(&f.admin, secret.appointment_ids[0]).unwrap().lead_id, Some(bo.id));
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:overlap-1\r\n\
DTSTAMP:20261120T000000Z\r\nDTSTART:20261203T093000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Team sync\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let report = f.core.import_ics(&f.admin, &[ics("sync.ics", invite)], Some(agent)).unwrap();
    let id = report[0].appointment_ids[0];
    let note = f.core.appointment(&dana, id).unwrap().clash.unwrap_or_default();
    assert!(note.contains("overlaps another appointment"), "the clash is still said: {note}");
    let shown = format!(
        "{:?}{:?}{:?}",
        f.core.appointment(&dana, id).unwrap(),
        f.core.occurrences(&dana, &[agent], "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z").unwrap(),
        report
    );
    assert!(!shown.contains("Secret"), "{shown}");
}

/// An appointment saved with nothing changed (Save pressed again) writes nothing: it left an empty change batch
/// and rewrote its attendees.
#[test]
fn an_appointment_saved_unchanged_writes_nothing() {
    let f = fixture();
    let ann = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@lee.com"), &Origin::manual()).unwrap().lead;
    let mut b = booking(f.admin.user_id().unwrap(), "Meet Ann", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z");
    b.lead_id = Some(ann.id);
    let appt = f.core.book_appointment(&f.admin, &b).unwrap();
    assert_eq!(appt.attendees.len(), 1, "{appt:?}");
    let before = f.dump();
    let again = f.core.update_appointment(&f.admin, appt.id, appt.version, &b).unwrap();
    assert_eq!(f.dump(), before);
    assert_eq!(again.version, appt.version);
}

/// An agent booked (by an Administrator) with a lead of a campaign the agent does not work on sees busy time
/// everywhere: in the calendar, in its reminders, and in its exported calendar, where the invite's organizer
/// (the lead, who sent it) is not named either.
#[test]
fn an_agents_reminders_and_export_hide_a_lead_outside_its_campaigns() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let agent = autumn.user_id().unwrap();
    let mut cal = f.core.agent_calendar(&autumn, agent).unwrap();
    cal.reminder_minutes = vec![15];
    f.core.update_agent_calendar(&autumn, cal).unwrap();
    let mut l = lead("Ann", "Lee", "ann@lee.com");
    l.campaign = "Spring".into();
    f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap();
    // The fixture's clock reads 2026-11-23 09:00Z; the lead sent the invite.
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
UID:renewal-1\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:20261123T091000Z\r\nDTEND:20261123T094000Z\r\n\
SUMMARY:Secret renewal\r\nLOCATION:Secret office\r\nORGANIZER;CN=Ann Lee:mailto:ann@lee.com\r\n\
ATTENDEE;CN=Autumn:mailto:autumn@rapport.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    f.core.import_ics(&f.admin, &[ics("renewal.ics", invite)], Some(agent)).unwrap();
    let due = f.core.take_due_reminders(&autumn).unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!((due[0].title.as_str(), due[0].location.as_str()), ("Busy", ""));
    let exported = f.core.export_agent_calendar(&autumn, agent).unwrap();
    assert!(exported.contains("Busy"), "{exported}");
    for secret in ["Secret", "ann@lee.com", "Ann Lee"] {
        assert!(!exported.contains(secret), "{secret} in {exported}");
    }
    // The Administrator, who sees the lead, gets the details.
    assert!(f.core.export_agent_calendar(&f.admin, agent).unwrap().contains("ann@lee.com"));
}

/// Seed 3.2: an agent who does not work on a lead's campaign could not see whom they meet. A meeting with that
/// lead is not booked for them nor handed to them (nothing written), and Find a slot does not offer them.
#[test]
fn a_meeting_with_a_lead_goes_only_to_an_agent_of_its_campaign() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]).user_id().unwrap();
    let spring = f.user("spring", Role::Editor, &["Spring"]).user_id().unwrap();
    let mut l = lead("Ann", "Lee", "ann@lee.com");
    l.campaign = "Spring".into();
    let ann = f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead;
    let mut input = booking(autumn, "Demo", "2026-11-24T10:00:00Z", "2026-11-24T10:30:00Z");
    input.lead_id = Some(ann.id);
    let before = f.dump();
    let err = f.core.book_appointment(&f.admin, &input).unwrap_err();
    let fields: Vec<String> = err.field_errors().into_iter().map(|e| e.field).collect();
    assert_eq!((err.code(), fields), (ErrorCode::Validation, vec!["agent_id".to_string()]), "{err}");
    assert!(err.to_string().contains("Spring"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    input.agent_id = spring;
    let booked = f.core.book_appointment(&f.admin, &input).unwrap();
    let mut handed = input.clone();
    handed.agent_id = autumn;
    let before = f.dump();
    let err = f.core.update_appointment(&f.admin, booked.id, booked.version, &handed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let request = SlotRequest { lead_id: Some(ann.id), duration_minutes: 30, per_agent: 1, ..Default::default() };
    let offered: Vec<i64> = f.core.find_slots(&f.admin, &request).unwrap().iter().map(|s| s.agent_id).collect();
    assert!(offered.contains(&spring) && !offered.contains(&autumn), "{offered:?}");
    let picked = SlotRequest { agents: vec![autumn, spring], ..request };
    let offered: Vec<i64> = f.core.find_slots(&f.admin, &picked).unwrap().iter().map(|s| s.agent_id).collect();
    assert_eq!(offered, [spring], "an agent picked by hand is not offered either");
}

/// An invite of a series is exported with the instances the reader may see: a changed instance that an
/// attendee of another campaign's lead took over stays out of the file.
#[test]
fn an_invite_leaves_out_an_instance_with_a_lead_outside_the_readers_campaigns() {
    let f = fixture();
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    let agent = spring.user_id().unwrap();
    common::ann_in_spring_bo_in_autumn(&f);
    let series = common::weekly_with_bos_instance("REQUEST", "20261120T000000Z", true);
    let imported = f.core.import_ics(&f.admin, &[ics("weekly.ics", &series)], Some(agent)).unwrap();
    let master = f
        .core
        .lead_appointments(&spring, f.core.list_leads(&spring, &Default::default()).unwrap().items[0].id)
        .unwrap();
    assert!(!master.is_empty(), "{imported:?}");
    let invite = f.core.export_invite(&spring, master[0].id).unwrap();
    assert!(invite.contains("Weekly check-in"), "{invite}");
    assert!(!invite.contains("bo@secret.example") && !invite.contains("Check-in with Bo"), "{invite}");
    assert!(
        invite.lines().any(|l| l.starts_with("EXDATE") && l.contains("20261208T090000")),
        "the series has no instance on the 8th for the reader either: {invite}"
    );
    assert!(!f.core.export_invite(&f.admin, master[0].id).unwrap().contains("EXDATE"), "not for those who see it");
    let full = f.core.export_invite(&f.admin, master[0].id).unwrap();
    assert!(full.contains("Check-in with Bo"), "the Administrator's invite holds the whole series: {full}");
}

/// The agent's calendar exported by a reader who may not see one changed instance of a series: that instance
/// is Busy time in the series' place (paired with it by its RECURRENCE-ID), so no calendar program makes the
/// series' own meeting of that day from the rule as well, a meeting that is not there.
#[test]
fn an_exported_calendar_keeps_a_hidden_instance_in_its_series_place() {
    let f = fixture();
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    let agent = spring.user_id().unwrap();
    common::ann_in_spring_bo_in_autumn(&f);
    let series = common::weekly_with_bos_instance("REQUEST", "20261120T000000Z", true);
    f.core.import_ics(&f.admin, &[ics("weekly.ics", &series)], Some(agent)).unwrap();
    let exported = f.core.export_agent_calendar(&spring, agent).unwrap();
    let events: Vec<&str> = exported.split("BEGIN:VEVENT").skip(1).collect();
    assert_eq!(events.len(), 2, "{exported}");
    let busy = events.iter().find(|e| e.contains("SUMMARY:Busy")).expect("Bo's meeting as busy time");
    assert!(busy.contains("UID:weekly-1\r\n") && busy.contains("RECURRENCE-ID:20261208T090000Z"), "{exported}");
    for secret in ["bo@secret.example", "Check-in with Bo", "Bo Lee"] {
        assert!(!exported.contains(secret), "{secret} in {exported}");
    }
}

/// A series cancelled by a reader, from the app or by the organizer's cancellation imported, leaves its
/// changed instance with a lead of another campaign as it is: the reader may not write to it (it cancelled Bo's
/// meeting, freed its time and logged that under the reader's name).
#[test]
fn cancelling_a_series_leaves_an_instance_with_a_lead_outside_the_readers_campaigns() {
    let f = fixture();
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    let agent = spring.user_id().unwrap();
    let bo = common::ann_in_spring_bo_in_autumn(&f);
    for cancel_by_file in [false, true] {
        let request = common::weekly_with_bos_instance("REQUEST", "20261120T000000Z", true);
        let ids = f.core.import_ics(&f.admin, &[ics("weekly.ics", &request)], Some(agent)).unwrap()[0]
            .appointment_ids
            .clone();
        let instance_of_bo = |f: &Fixture| {
            let of_bo: Vec<_> = ids
                .iter()
                .map(|id| f.core.appointment(&f.admin, *id).unwrap())
                .filter(|a| a.lead_id == Some(bo))
                .collect();
            assert_eq!(of_bo.len(), 1, "{of_bo:?}");
            of_bo[0].clone()
        };
        let ann = f.core.list_leads(&spring, &Default::default()).unwrap().items[0].id;
        let master = f.core.lead_appointments(&spring, ann).unwrap()[0].id;
        let hidden = instance_of_bo(&f);
        assert_eq!(hidden.status, AppointmentStatus::Confirmed);
        if cancel_by_file {
            // The organizer's cancellation of the whole series: its main event only.
            let cancel = common::weekly_with_bos_instance("CANCEL", "20261125T000000Z", false);
            let report = f.core.import_ics(&spring, &[ics("cancel.ics", &cancel)], None).unwrap();
            assert!(report[0].warnings.iter().any(|w| w.contains("outside your campaigns")), "{report:?}");
        } else {
            f.core.set_appointment_status(&spring, master, AppointmentStatus::Cancelled).unwrap();
        }
        assert_eq!(f.core.appointment(&f.admin, master).unwrap().status, AppointmentStatus::Cancelled);
        assert_eq!(
            instance_of_bo(&f),
            hidden,
            "the hidden instance is as it was (cancelled by file: {cancel_by_file})"
        );
        f.core.set_appointment_status(&f.admin, master, AppointmentStatus::Confirmed).unwrap();
    }
}

/// A series with a lead outside the reader's campaigns (shown to them as busy time) is not theirs to change, one
/// occurrence no more than the whole: an .ics file cancelling or moving one of its meetings is skipped, saying
/// why, and nothing is written (it added an instance that cancelled or moved Bo's meeting).
#[test]
fn an_ics_file_does_not_change_an_occurrence_of_a_series_the_reader_cannot_see() {
    let f = fixture();
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    let agent = spring.user_id().unwrap();
    let bo = common::ann_in_spring_bo_in_autumn(&f);
    let series = common::weekly_with_bos_instance("REQUEST", "20261120T000000Z", false)
        .replace("ORGANIZER;CN=Ann Lee:mailto:ann@lee.com", "ORGANIZER;CN=Bo Lee:mailto:bo@secret.example");
    let id = f.core.import_ics(&f.admin, &[ics("bo.ics", &series)], Some(agent)).unwrap()[0].appointment_ids[0];
    assert_eq!(f.core.appointment(&f.admin, id).unwrap().lead_id, Some(bo));
    let one = |method: &str, start: &str, status: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n\
UID:weekly-1\r\nSEQUENCE:1\r\nDTSTAMP:20261125T000000Z\r\nRECURRENCE-ID:20261215T090000Z\r\n\
DTSTART:{start}\r\nDTEND:20261215T173000Z\r\nSUMMARY:Weekly check-in\r\nSTATUS:{status}\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n"
        )
    };
    for (name, file) in [
        ("cancel-one.ics", one("CANCEL", "20261215T090000Z", "CANCELLED")),
        ("move-one.ics", one("REQUEST", "20261215T170000Z", "CONFIRMED")),
    ] {
        let before = f.dump();
        let report = f.core.import_ics(&spring, &[ics(name, &file)], None).unwrap().remove(0);
        assert!(report.warnings.iter().any(|w| w.contains("outside your campaigns")), "{name}: {report:?}");
        assert_eq!((report.created, report.cancelled, report.updated), (0, 0, 0), "{name}: {report:?}");
        assert_eq!(f.dump(), before, "{name}: nothing written");
    }
}

/// A cancelled series set back to confirmed is checked as a single appointment taken back is: an occurrence
/// in the agent's time off, or within their buffer of another appointment, refuses it.
#[test]
fn a_series_taken_back_from_cancelled_respects_time_off_and_the_buffer() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 30);
    let file = ics(
        "weekly.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:weekly-call\nSUMMARY:Weekly call\n\
DTSTART:20261130T100000Z\nDTEND:20261130T110000Z\nRRULE:FREQ=WEEKLY;COUNT=5\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let series = f.core.import_ics(&dana, &[file], None).unwrap()[0].appointment_ids[0];
    f.core.set_appointment_status(&dana, series, AppointmentStatus::Cancelled).unwrap();
    f.core.add_time_off(&dana, id, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", "dentist").unwrap();
    let before = f.dump();
    let err = f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    assert!(err.to_string().contains("time off: dentist"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");

    let off = f.core.agent_calendar(&dana, id).unwrap().time_off[0].id;
    f.core.remove_time_off(&dana, id, off).unwrap();
    // Ends 15 minutes before the call of the 14th: inside the 30-minute buffer.
    f.core.book_appointment(&dana, &booking(id, "Client", "2026-12-14T09:00:00Z", "2026-12-14T09:45:00Z")).unwrap();
    let err = f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap_err();
    assert!(err.to_string().contains("within the 30-minute buffer"), "{err}");
}

/// A cancelled series set back to confirmed takes its times back: refused when one of its coming occurrences
/// was booked meanwhile (it was let through, two appointments holding one hour), let through once freed.
#[test]
fn a_series_taken_back_from_cancelled_must_find_its_times_free() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    // The fixture's clock reads 2026-11-23 09:00Z: a weekly Monday 10:00Z call from the 30th.
    let file = ics(
        "weekly.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:weekly-call\nSUMMARY:Weekly call\n\
DTSTART:20261130T100000Z\nDTEND:20261130T110000Z\nRRULE:FREQ=WEEKLY;COUNT=5\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let report = f.core.import_ics(&dana, &[file], None).unwrap();
    let series = report[0].appointment_ids[0];
    f.core.set_appointment_status(&dana, series, AppointmentStatus::Cancelled).unwrap();
    let lunch =
        f.core.book_appointment(&dana, &booking(id, "Client", "2026-12-14T10:30:00Z", "2026-12-14T11:30:00Z")).unwrap();
    let before = f.dump();
    let err = f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    assert!(err.to_string().contains("“Client”"), "{err}");
    assert_eq!(f.dump(), before);
    f.core.set_appointment_status(&dana, lunch.id, AppointmentStatus::Cancelled).unwrap();
    let back = f.core.set_appointment_status(&dana, series, AppointmentStatus::Confirmed).unwrap();
    assert_eq!(back.status, AppointmentStatus::Confirmed);

    // A series shown as free takes no time back: it is set back whatever was booked meanwhile.
    let free = ics(
        "free.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:focus-time\nSUMMARY:Focus time\n\
TRANSP:TRANSPARENT\nDTSTART:20261201T140000Z\nDTEND:20261201T150000Z\nRRULE:FREQ=WEEKLY;COUNT=5\nEND:VEVENT\n\
END:VCALENDAR\n",
    );
    let focus = f.core.import_ics(&dana, &[free], None).unwrap()[0].appointment_ids[0];
    f.core.set_appointment_status(&dana, focus, AppointmentStatus::Cancelled).unwrap();
    f.core.book_appointment(&dana, &booking(id, "Call", "2026-12-08T14:00:00Z", "2026-12-08T14:30:00Z")).unwrap();
    f.core.set_appointment_status(&dana, focus, AppointmentStatus::Confirmed).unwrap();
    // So does a single one.
    let free = ics(
        "free-once.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:focus-once\nSUMMARY:Focus once\n\
TRANSP:TRANSPARENT\nDTSTART:20261202T140000Z\nDTEND:20261202T150000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let once = f.core.import_ics(&dana, &[free], None).unwrap()[0].appointment_ids[0];
    f.core.set_appointment_status(&dana, once, AppointmentStatus::Cancelled).unwrap();
    f.core.book_appointment(&dana, &booking(id, "Call", "2026-12-02T14:00:00Z", "2026-12-02T14:30:00Z")).unwrap();
    let back = f.core.set_appointment_status(&dana, once, AppointmentStatus::Confirmed).unwrap();
    assert_eq!(back.status, AppointmentStatus::Confirmed);
}

/// An appointment written in no zone of its own (a "floating" local time) happens in its agent's zone: when the
/// agent moves to another, it moves with it in every window and clash check (its stored instants were left
/// where the first zone put them, so a day's view and the double-booking check missed it).
#[test]
fn a_floating_appointment_follows_its_agents_time_zone() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let file = ics(
        "floating.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:floating-1\nSUMMARY:Standup\n\
DTSTART:20261203T233000\nDTEND:20261204T003000\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    agent_settings(&f, &dana, "Pacific/Auckland", 0);
    // 23:30 in Auckland (UTC+13 in December) is 10:30Z.
    let occ = f.core.occurrences(&dana, &[id], "2026-12-03T10:00:00Z", "2026-12-03T11:00:00Z").unwrap();
    assert_eq!(occ.iter().map(|o| o.start.as_str()).collect::<Vec<_>>(), ["2026-12-03T10:30:00Z"]);
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "On top", "2026-12-03T10:45:00Z", "2026-12-03T11:00:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    let h = f.core.appointment(&dana, occ[0].appointment_id).unwrap();
    assert_eq!(h.start, "2026-12-03T10:30:00Z");
}

/// Only an active Editor or Administrator holds appointments: one booked with a deactivated user or a Viewer
/// is a meeting nobody attends, and no reminder reaches anyone.
#[test]
fn appointments_are_booked_only_with_active_agents_who_may_hold_them() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let gone = f.user("gone", Role::Editor, &[]);
    let gone_id = gone.user_id().unwrap();
    let vic = f.user("vic", Role::Viewer, &[]).user_id().unwrap();
    let input = rapport_core::users::UserInput {
        username: "gone".into(),
        display_name: "gone".into(),
        role: Role::Editor,
        active: false,
        campaigns: vec![],
        all_campaigns: true,
    };
    f.core.update_user(&f.admin, gone_id, &input).unwrap();
    let before = f.dump();
    for agent in [gone_id, vic] {
        let err = f
            .core
            .book_appointment(&dana, &booking(agent, "Demo", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "{err}");
        assert!(err.to_string().contains("agent"), "{err}");
    }
    assert_eq!(f.dump(), before, "nothing was booked");
    // Handing an existing appointment to them is refused the same way.
    let me = dana.user_id().unwrap();
    let a =
        f.core.book_appointment(&dana, &booking(me, "Demo", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")).unwrap();
    let before = f.dump();
    let err = f
        .core
        .update_appointment(
            &f.admin,
            a.id,
            a.version,
            &booking(gone_id, "Demo", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(f.dump(), before);
}

/// A rep imports invites into their own schedule; only an Administrator fills someone else's, since an
/// imported invite is kept even when it clashes (it exists on the inviter's side already).
#[test]
fn an_editor_imports_invites_into_their_own_calendar_only() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let ed = f.user("ed", Role::Editor, &[]).user_id().unwrap();
    let before = f.dump();
    let err = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], Some(ed)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    assert_eq!(f.dump(), before);
    f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], dana.user_id()).unwrap();
    f.core.import_ics(&f.admin, &[ics("invite2.ics", &OUTLOOK_INVITE.replace("UID:", "UID:x"))], Some(ed)).unwrap();
}

/// A store of its own with a clock the test moves (Monday 23 November 2026, 09:00Z), whose first Administrator is
/// an agent reminded `minutes` before each meeting.
fn reminded_agent(minutes: &[u32]) -> (tempfile::TempDir, Arc<rapport_core::FixedClock>, Rapport, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let core =
        Rapport::open_with(&dir.path().join("r.db"), &rapport_core::OpenOptions::default(), clock.clone()).unwrap();
    let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
    let mut cal = core.agent_calendar(&admin, admin.user_id().unwrap()).unwrap();
    cal.reminder_minutes = minutes.to_vec();
    core.update_agent_calendar(&admin, cal).unwrap();
    (dir, clock, core, admin)
}

/// A reminder at the start (0 minutes) comes at the start, once.
#[test]
fn a_reminder_at_the_start_fires_when_the_meeting_starts() {
    let (_dir, clock, core, admin) = reminded_agent(&[0]);
    let id = admin.user_id().unwrap();
    // The clock reads 2026-11-23 09:00Z.
    core.book_appointment(&admin, &booking(id, "Stand-up", "2026-11-23T09:10:00Z", "2026-11-23T09:40:00Z")).unwrap();
    // An event with a start and no end (a deadline, a call to make) lasts no time: its reminder at the start
    // still comes, though the event has ended by the time the app asks.
    let deadline = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:deadline-1\n\
DTSTAMP:20261101T000000Z\nDTSTART:20261123T091000Z\nSUMMARY:Send the offer\nEND:VEVENT\nEND:VCALENDAR\n";
    core.import_ics(&admin, &[ics("deadline.ics", deadline)], None).unwrap();
    assert!(core.take_due_reminders(&admin).unwrap().is_empty(), "not before the start");
    clock.advance(chrono::Duration::seconds(10 * 60 + 20));
    let due = core.take_due_reminders(&admin).unwrap();
    let mut due: Vec<_> = due.iter().map(|r| (r.title.as_str(), r.minutes)).collect();
    due.sort();
    assert_eq!(due, [("Send the offer", 0), ("Stand-up", 0)]);
    clock.advance(chrono::Duration::seconds(30));
    assert!(core.take_due_reminders(&admin).unwrap().is_empty(), "once");
}

/// A day's event (a trade fair) brings no "in 15 minutes" at 23:45 the night before: it has no hour to be late
/// for. A timed meeting the same day still brings its reminder.
#[test]
fn an_all_day_event_brings_no_reminder_the_night_before() {
    let (_dir, clock, core, admin) = reminded_agent(&[15]);
    let fair = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:fair-1\nDTSTAMP:20261101T000000Z\n\
DTSTART;VALUE=DATE:20261124\nDTEND;VALUE=DATE:20261125\nSUMMARY:Trade fair\nEND:VEVENT\nEND:VCALENDAR\n";
    let id = admin.user_id().unwrap();
    core.book_appointment(&admin, &booking(id, "Stand-up", "2026-11-24T00:05:00Z", "2026-11-24T00:20:00Z")).unwrap();
    core.import_ics(&admin, &[ics("fair.ics", fair)], None).unwrap();
    // 23:50 UTC the night before (the agent's zone is UTC): the fair's midnight is 10 minutes away.
    clock.advance(chrono::Duration::minutes(14 * 60 + 50));
    let due: Vec<String> = core.take_due_reminders(&admin).unwrap().into_iter().map(|r| r.title).collect();
    assert_eq!(due, ["Stand-up"], "the timed meeting only");
    clock.advance(chrono::Duration::hours(9));
    assert!(core.take_due_reminders(&admin).unwrap().is_empty(), "nor the next morning");
}

/// A rep who works on campaigns makes an invite's unknown attendee a lead of one of them: their only campaign,
/// the meeting's lead's, or the one they choose when they have several (asked, not guessed). Every such rep's
/// attempt was refused before ("campaign \"\" is not one of the campaigns you work on").
#[test]
fn a_rep_of_some_campaigns_makes_an_attendee_a_lead_of_one_of_them() {
    let f = fixture();
    let invite = |uid: &str, attendee: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:Intro call\r\n\
ATTENDEE;CN=New Person:mailto:{attendee}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let import = |who: &Actor, uid: &str, attendee: &str| {
        let r = f.core.import_ics(who, &[ics("invite.ics", &invite(uid, attendee))], None).unwrap().remove(0);
        r.appointment_ids[0]
    };
    let campaign_of = |who: &Actor, id: i64| f.core.get_lead(who, id).unwrap().campaign;

    let sam = f.user("sam", Role::Editor, &["Spring"]);
    let meeting = import(&sam, "sam-1", "new.one@example.org");
    let made = f.core.create_lead_from_attendee(&sam, meeting, "new.one@example.org", None).unwrap();
    assert_eq!(campaign_of(&sam, made), "Spring", "the rep's only campaign");

    let kim = f.user("kim", Role::Editor, &["Spring", "Autumn"]);
    let meeting = import(&kim, "kim-1", "new.two@example.org");
    let before = f.dump();
    let err = f.core.create_lead_from_attendee(&kim, meeting, "new.two@example.org", None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let fields = err.field_errors();
    assert_eq!(fields.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["campaign"], "{fields:?}");
    assert!(fields[0].message.contains("Autumn, Spring"), "the choices are named: {fields:?}");
    let err = f.core.create_lead_from_attendee(&kim, meeting, "new.two@example.org", Some("Winter")).unwrap_err();
    let fields = err.field_errors();
    assert_eq!(fields.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["campaign"], "not theirs: {err}");
    assert_eq!(f.dump(), before, "nothing written by either refusal");
    let made = f.core.create_lead_from_attendee(&kim, meeting, "new.two@example.org", Some("Autumn")).unwrap();
    assert_eq!(campaign_of(&kim, made), "Autumn", "the one chosen");

    // A meeting with an Autumn lead: its new attendee joins the same campaign, unasked.
    let mut ada = lead("Ada", "Roe", "ada@roe.example");
    ada.campaign = "Autumn".into();
    f.core.create_lead(&kim, &ada, &Origin::manual()).unwrap();
    let with_ada = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:kim-2\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261211T090000Z\r\nDTEND:20261211T100000Z\r\nSUMMARY:With Ada\r\n\
ATTENDEE:mailto:ada@roe.example\r\nATTENDEE:mailto:ada.colleague@roe.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = f.core.import_ics(&kim, &[ics("ada.ics", with_ada)], None).unwrap().remove(0);
    let made = f.core.create_lead_from_attendee(&kim, r.appointment_ids[0], "ada.colleague@roe.example", None).unwrap();
    assert_eq!(campaign_of(&kim, made), "Autumn", "the meeting's lead's campaign");
}

/// Sam, an Editor of Spring; Ann Lee, a lead of Spring; Bo Ray, a lead of Autumn, which Sam does not work on.
fn sam_of_spring_with_ann_and_bo_of_autumn(f: &Fixture) -> (Actor, Lead, Lead) {
    let sam = f.user("sam", Role::Editor, &["Spring"]);
    let mut ann = lead("Ann", "Lee", "ann@lee.io");
    ann.campaign = "Spring".into();
    let ann = f.core.create_lead(&f.admin, &ann, &Origin::manual()).unwrap().lead;
    let mut bo = lead("Bo", "Ray", "bo@ray.io");
    bo.campaign = "Autumn".into();
    let bo = f.core.create_lead(&f.admin, &bo, &Origin::manual()).unwrap().lead;
    (sam, ann, bo)
}

/// An invite an Administrator imported names two leads of two campaigns: a reader of one campaign sees the
/// other attendee by the address the invite gave, without the lead's id, and cannot get it by asking to make
/// that attendee a lead.
#[test]
fn an_attendee_who_is_a_lead_of_another_campaign_is_shown_without_its_id() {
    let f = fixture();
    let (sam, ann, bo) = sam_of_spring_with_ann_and_bo_of_autumn(&f);
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:both-1\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:Joint call\r\n\
ATTENDEE:mailto:ann@lee.io\r\nATTENDEE:mailto:bo@ray.io\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let report = f.core.import_ics(&f.admin, &[ics("joint.ics", invite)], None).unwrap().remove(0);
    let id = report.appointment_ids[0];
    let seen = f.core.appointment(&f.admin, id).unwrap();
    let leads: Vec<Option<i64>> = seen.attendees.iter().map(|a| a.lead_id).collect();
    assert_eq!(leads, vec![Some(ann.id), Some(bo.id)], "an Administrator sees both");
    let seen = f.core.appointment(&sam, id).unwrap();
    let leads: Vec<(&str, Option<i64>)> = seen.attendees.iter().map(|a| (a.email.as_str(), a.lead_id)).collect();
    assert_eq!(leads, vec![("ann@lee.io", Some(ann.id)), ("bo@ray.io", None)]);
    let err = f.core.create_lead_from_attendee(&sam, id, "bo@ray.io", None).unwrap_err();
    assert!(!err.to_string().contains(&bo.id.to_string()), "{err}");
    // Nor does Ann's history, where the meeting's own is shown: its link of Bo's address to his lead is left out.
    let history = f.core.lead_history(&sam, ann.id).unwrap();
    let of_meeting: Vec<_> = history.iter().filter(|e| e.entity == "appointment").collect();
    assert!(of_meeting.iter().any(|e| e.field == "attendee:ann@lee.io"), "{of_meeting:?}");
    for e in &of_meeting {
        for v in [&e.old_value, &e.new_value] {
            assert_ne!(v.as_deref().map(str::trim), Some(bo.id.to_string().as_str()), "{e:?}");
        }
    }
    assert!(!of_meeting.iter().any(|e| e.field == "attendee:bo@ray.io"), "{of_meeting:?}");
    // The Administrator's history keeps it.
    let full = f.core.lead_history(&f.admin, ann.id).unwrap();
    assert!(full.iter().any(|e| e.field == "attendee:bo@ray.io"), "{full:?}");
}

/// An invite an Administrator imported into a rep's calendar names a lead of a campaign the rep does not work
/// on. The rep, seeing the attendee without a lead, makes it one: they get a lead of their own campaign, as for
/// any attendee who is no lead, and are not told another exists (a refusal told them). The stored link stays for
/// the Administrator; the rep sees theirs.
#[test]
fn a_rep_makes_a_lead_of_an_attendee_linked_to_a_lead_they_cannot_see_and_learns_nothing_of_it() {
    let f = fixture();
    let (sam, ann, bo) = sam_of_spring_with_ann_and_bo_of_autumn(&f);
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:both-1\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:Joint call\r\n\
ATTENDEE:mailto:ann@lee.io\r\nATTENDEE;CN=Bo Ray:mailto:bo@ray.io\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let report = f.core.import_ics(&f.admin, &[ics("joint.ics", invite)], sam.user_id()).unwrap().remove(0);
    let id = report.appointment_ids[0];
    let linked = |who: &Actor| -> Vec<Option<i64>> {
        f.core.appointment(who, id).unwrap().attendees.iter().map(|a| a.lead_id).collect()
    };
    assert_eq!(linked(&sam), vec![Some(ann.id), None]);
    let made = f.core.create_lead_from_attendee(&sam, id, "bo@ray.io", None).unwrap();
    assert_ne!(made, bo.id);
    let mine = f.core.get_lead(&sam, made).unwrap();
    assert_eq!((mine.first_name.as_str(), mine.last_name.as_str(), mine.campaign.as_str()), ("Bo", "Ray", "Spring"));
    assert_eq!(mine.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>(), ["bo@ray.io"]);
    assert_eq!(linked(&sam), vec![Some(ann.id), Some(made)], "the rep sees the lead they made");
    assert_eq!(linked(&f.admin), vec![Some(ann.id), Some(bo.id)], "the Administrator's link stays");
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let pairs: Vec<[i64; 2]> = queue.iter().map(|p| [p.a.id.min(p.b.id), p.a.id.max(p.b.id)]).collect();
    assert_eq!(pairs, vec![[bo.id, made]], "the two are before a steward");
    // Asked again, the rep gets the same lead, not a third.
    assert_eq!(f.core.create_lead_from_attendee(&sam, id, "bo@ray.io", None).unwrap(), made);
}

/// The organizer's update imported by a rep who cannot see one attendee's lead (another campaign's) keeps that
/// attendee linked to it, as an Administrator's import linked them: the update cut the link, unlogged, and
/// listed the lead's address as an unknown attendee to create again.
#[test]
fn an_update_imported_by_a_rep_keeps_an_attendee_linked_to_a_lead_they_cannot_see() {
    let f = fixture();
    let (sam, ann, bo) = sam_of_spring_with_ann_and_bo_of_autumn(&f);
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:both-1\r\n\
SEQUENCE:0\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\n\
SUMMARY:Joint call\r\nATTENDEE:mailto:ann@lee.io\r\nATTENDEE:mailto:bo@ray.io\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let report = f.core.import_ics(&f.admin, &[ics("joint.ics", invite)], sam.user_id()).unwrap().remove(0);
    let id = report.appointment_ids[0];
    let moved = invite.replace("SEQUENCE:0", "SEQUENCE:1").replace("DTSTART:20261210T09", "DTSTART:20261210T08");
    let update = f.core.import_ics(&sam, &[ics("joint-moved.ics", &moved)], None).unwrap().remove(0);
    assert_eq!(update.updated, 1, "{update:?}");
    assert!(update.unknown_attendees.is_empty(), "{update:?}");
    let seen = f.core.appointment(&f.admin, id).unwrap();
    assert_eq!(seen.start, "2026-12-10T08:00:00Z");
    let leads: Vec<Option<i64>> = seen.attendees.iter().map(|a| a.lead_id).collect();
    assert_eq!(leads, vec![Some(ann.id), Some(bo.id)]);
    let shown = f.core.appointment(&sam, id).unwrap();
    assert!(shown.attendees.iter().all(|a| a.lead_id != Some(bo.id)), "still not shown to the rep: {shown:?}");
}

/// A rep marks an imported invite tentative and adds notes twice; the organizer then moves the meeting (their
/// SEQUENCE 1).
/// The move is taken: the rep's own changes do not number the organizer's versions.
/// The very file imported again after the rep moved the appointment and wrote notes: nothing new in it, so
/// the rep's work stands (the edit kept the copy's stamp, by which the same copy is known).
#[test]
fn the_same_invite_imported_again_keeps_what_the_rep_changed_since() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let invite = OUTLOOK_INVITE
        .replace(
            "ORGANIZER;CN=Dana Agent:mailto:dana@rapport.test",
            "ORGANIZER;CN=Olaf Boss:mailto:olaf@customer.example\nATTENDEE;CN=Dana Agent:mailto:dana@rapport.test",
        )
        .replace("SEQUENCE:0", "SEQUENCE:0\nDTSTAMP:20261120T080000Z");
    let report = f.core.import_ics(&dana, &[ics("invite.ics", &invite)], None).unwrap().remove(0);
    let a = f.core.appointment(&dana, report.appointment_ids[0]).unwrap();
    let mut edit = booking(id, &a.title, "2026-12-03T11:00:00Z", "2026-12-03T12:00:00Z");
    edit.notes = "Bring the samples".into();
    edit.location = a.location.clone();
    edit.status = a.status;
    let edited = f.core.update_appointment(&dana, a.id, a.version, &edit).unwrap();
    let report = f.core.import_ics(&dana, &[ics("invite.ics", &invite)], None).unwrap().remove(0);
    assert_eq!((report.updated, report.unchanged), (0, 1), "{report:?}");
    let now = f.core.appointment(&dana, a.id).unwrap();
    assert_eq!((now.start.as_str(), now.notes.as_str()), ("2026-12-03T11:00:00Z", "Bring the samples"));
    assert_eq!(now.version, edited.version, "nothing written");
}

#[test]
fn the_organizers_update_is_taken_after_the_rep_worked_on_the_invite() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let invite = OUTLOOK_INVITE.replace(
        "ORGANIZER;CN=Dana Agent:mailto:dana@rapport.test",
        "ORGANIZER;CN=Olaf Boss:mailto:olaf@customer.example\nATTENDEE;CN=Dana Agent:mailto:dana@rapport.test",
    );
    let report = f.core.import_ics(&dana, &[ics("invite.ics", &invite)], None).unwrap().remove(0);
    let a = f.core.appointment(&dana, report.appointment_ids[0]).unwrap();
    f.core.set_appointment_status(&dana, a.id, AppointmentStatus::Proposed).unwrap();
    for notes in ["Bring the price list", "Bring the price list and the samples"] {
        let a = f.core.appointment(&dana, a.id).unwrap();
        let mut edit = booking(id, &a.title, &a.start, &a.end);
        edit.notes = notes.into();
        edit.location = a.location.clone();
        edit.status = a.status;
        f.core.update_appointment(&dana, a.id, a.version, &edit).unwrap();
    }

    let moved = invite
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace(
            "DTSTART;TZID=W. Europe Standard Time:20261203T100000",
            "DTSTART;TZID=W. Europe Standard Time:20261208T100000",
        )
        .replace(
            "DTEND;TZID=W. Europe Standard Time:20261203T110000",
            "DTEND;TZID=W. Europe Standard Time:20261208T110000",
        );
    let report = f.core.import_ics(&dana, &[ics("invite.ics", &moved)], None).unwrap().remove(0);
    assert_eq!((report.updated, report.unchanged), (1, 0), "{report:?}");
    let a = f.core.appointment(&dana, a.id).unwrap();
    assert_eq!(a.start, "2026-12-08T09:00:00Z");
}

/// A confirmed appointment moved to another day is to be confirmed again; an edit of its notes alone is not
/// checked for clashes again (an imported invite may overlap another, as it was kept) and keeps it confirmed.
#[test]
fn a_moved_appointment_is_confirmed_again_and_an_edit_in_place_is_not_a_new_clash() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let a =
        f.core.book_appointment(&dana, &booking(id, "Demo", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")).unwrap();
    let a = f.core.set_confirmation(&dana, a.id, rapport_core::calendar::Confirmation::Confirmed).unwrap();
    let two = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:overlap-1\nDTSTAMP:20261101T000000Z\n\
DTSTART:20261210T090000Z\nDTEND:20261210T100000Z\nSUMMARY:Board call\nEND:VEVENT\nBEGIN:VEVENT\nUID:overlap-2\n\
DTSTAMP:20261101T000000Z\nDTSTART:20261210T093000Z\nDTEND:20261210T103000Z\nSUMMARY:Supplier call\nEND:VEVENT\nEND:VCALENDAR\n";
    let report = f.core.import_ics(&dana, &[ics("two.ics", two)], None).unwrap().remove(0);
    let second = f.core.appointment(&dana, report.appointment_ids[1]).unwrap();
    let mut notes = booking(id, &second.title, &second.start, &second.end);
    notes.notes = "Agenda: prices".into();
    f.core.update_appointment(&dana, second.id, second.version, &notes).unwrap();

    let moved =
        f.core.move_appointment(&dana, a.id, a.version, "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z").unwrap();
    assert_eq!(moved.confirmation, rapport_core::calendar::Confirmation::ToSend);
    let mut edit = booking(id, "Demo", "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z");
    edit.notes = "Bring samples".into();
    let moved = f.core.set_confirmation(&dana, moved.id, rapport_core::calendar::Confirmation::Confirmed).unwrap();
    let kept = f.core.update_appointment(&dana, moved.id, moved.version, &edit).unwrap();
    assert_eq!(kept.confirmation, rapport_core::calendar::Confirmation::Confirmed);
}

/// A moved instance named by a floating RECURRENCE-ID (a wall time of the series' zone), then cancelled by a
/// CANCEL naming it with its TZID: one instance, cancelled, whatever the agent's own zone.
#[test]
fn a_floating_recurrence_id_and_a_zoned_one_name_the_same_instance() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "Europe/Berlin", 0);
    let series = WEEKLY
        .replace("DTSTART:20261207T100000Z", "DTSTART;TZID=America/New_York:20261207T100000")
        .replace("DTEND:20261207T110000Z", "DTEND;TZID=America/New_York:20261207T110000");
    f.core.import_ics(&dana, &[ics("weekly.ics", &series)], None).unwrap();
    let moved = series
        .replace("SEQUENCE:0", "SEQUENCE:1\nRECURRENCE-ID:20261214T100000")
        .replace("20261207T100000", "20261214T120000")
        .replace("20261207T110000", "20261214T130000")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let r = f.core.import_ics(&dana, &[ics("moved.ics", &moved)], None).unwrap().remove(0);
    assert!(r.problems.is_empty(), "{r:?}");
    let cancel = moved.replace("METHOD:REQUEST", "METHOD:CANCEL").replace(
        "SEQUENCE:1\nRECURRENCE-ID:20261214T100000",
        "SEQUENCE:2\nRECURRENCE-ID;TZID=America/New_York:20261214T100000\nSTATUS:CANCELLED",
    );
    let r = f.core.import_ics(&dana, &[ics("cancel.ics", &cancel)], None).unwrap().remove(0);
    assert_eq!((r.cancelled, r.created), (1, 0), "{r:?}");
    let weeks: Vec<(String, bool)> = f
        .core
        .occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z")
        .unwrap()
        .into_iter()
        .map(|o| (o.start, o.status == AppointmentStatus::Cancelled))
        .collect();
    assert_eq!(weeks.len(), 4, "one occurrence a week, the moved one not twice: {weeks:?}");
    assert_eq!(weeks.iter().filter(|w| w.1).count(), 1, "{weeks:?}");
}

/// An invite the lead confirmed, moved by the organizer (a newer .ics), is to be confirmed again, as a move made
/// in Rapport is; the same invite imported again unchanged keeps the confirmation.
#[test]
fn an_invite_moved_by_its_organizer_is_to_be_confirmed_again() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    let r = f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap().remove(0);
    let id = r.appointment_ids[0];
    f.core.set_confirmation(&dana, id, Confirmation::Confirmed).unwrap();
    f.core.import_ics(&dana, &[ics("weekly.ics", WEEKLY)], None).unwrap();
    assert_eq!(f.core.appointment(&dana, id).unwrap().confirmation, Confirmation::Confirmed, "unchanged: kept");
    let moved =
        WEEKLY.replace("SEQUENCE:0", "SEQUENCE:1").replace("T100000Z", "T140000Z").replace("T110000Z", "T150000Z");
    f.core.import_ics(&dana, &[ics("moved.ics", &moved)], None).unwrap();
    let a = f.core.appointment(&dana, id).unwrap();
    assert!(a.start.contains("T14:00"), "{a:?}");
    assert_eq!(a.confirmation, Confirmation::ToSend);
}

/// An appointment handed to another agent after its reminder went out reminds its new holder, who was told
/// nothing; its first agent is not reminded again.
#[test]
fn an_appointment_handed_over_reminds_its_new_agent() {
    let f = fixture();
    let mut agents = Vec::new();
    for name in ["dana", "eve"] {
        let actor = f.user(name, Role::Editor, &[]);
        let id = actor.user_id().unwrap();
        let mut cal = f.core.agent_calendar(&actor, id).unwrap();
        cal.reminder_minutes = vec![15];
        f.core.update_agent_calendar(&actor, cal).unwrap();
        agents.push((actor, id));
    }
    let ((dana, dana_id), (eve, eve_id)) = (agents.remove(0), agents.remove(0));
    // The fixture's clock reads 2026-11-23 09:00Z.
    let a = f
        .core
        .book_appointment(&dana, &booking(dana_id, "Soon", "2026-11-23T09:10:00Z", "2026-11-23T09:40:00Z"))
        .unwrap();
    assert_eq!(f.core.take_due_reminders(&dana).unwrap().len(), 1);
    let input = rapport_core::calendar::AppointmentInput {
        agent_id: eve_id,
        lead_id: a.lead_id,
        title: a.title.clone(),
        start: a.start.clone(),
        end: a.end.clone(),
        time_zone: String::new(),
        location: String::new(),
        video_url: String::new(),
        notes: String::new(),
        status: a.status,
        private: false,
    };
    f.core.update_appointment(&f.admin, a.id, a.version, &input).unwrap();
    let due = f.core.take_due_reminders(&eve).unwrap();
    assert_eq!(due.iter().map(|d| d.title.as_str()).collect::<Vec<_>>(), ["Soon"]);
    assert!(f.core.take_due_reminders(&dana).unwrap().is_empty());
}

/// A meeting the agent declined stays in their calendar as Google and Nextcloud keep it, but is not their busy
/// time: a booking over it is taken, and it clashes with nothing.
#[test]
fn a_meeting_the_agent_declined_does_not_block_their_time() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let declined = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nBEGIN:VEVENT\n\
UID:declined-1@google.com\nDTSTAMP:20261201T080000Z\nDTSTART:20261210T090000Z\nDTEND:20261210T100000Z\n\
SUMMARY:Budget review\nORGANIZER:mailto:boss@example.org\n\
ATTENDEE;PARTSTAT=DECLINED;CN=Dana:mailto:Dana@rapport.test\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.org\nEND:VEVENT\nEND:VCALENDAR\n";
    let report = f.core.import_ics(&dana, &[ics("declined.ics", declined)], None).unwrap().remove(0);
    assert_eq!(report.created, 1, "{report:?}");
    f.core
        .book_appointment(&dana, &booking(id, "Demo", "2026-12-10T09:30:00Z", "2026-12-10T10:30:00Z"))
        .expect("the declined meeting leaves the time free");
    // Accepted, the same meeting is busy.
    let accepted = declined.replace("declined-1", "accepted-1").replace("PARTSTAT=DECLINED", "PARTSTAT=ACCEPTED");
    f.core.import_ics(&dana, &[ics("accepted.ics", &accepted)], None).unwrap();
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Second", "2026-12-10T09:15:00Z", "2026-12-10T09:45:00Z"))
        .unwrap_err();
    assert!(err.to_string().contains("Budget review"), "{err}");
}

/// A meeting the agent declined is not one they go to: it brings no reminder, while the same meeting accepted
/// does (and a free event the agent did not decline, below, keeps its reminder).
#[test]
fn a_meeting_the_agent_declined_brings_no_reminder() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    // The fixture's clock reads 2026-11-23 09:00Z; Dana's reminder is 15 minutes before.
    let declined = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nBEGIN:VEVENT\n\
UID:declined-2@google.com\nDTSTAMP:20261101T080000Z\nDTSTART:20261123T091000Z\nDTEND:20261123T100000Z\n\
SUMMARY:Budget review\nORGANIZER:mailto:boss@example.org\n\
ATTENDEE;PARTSTAT=DECLINED;CN=Dana:mailto:Dana@rapport.test\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.org\nEND:VEVENT\nEND:VCALENDAR\n";
    let accepted = declined.replace("declined-2", "accepted-2").replace("PARTSTAT=DECLINED", "PARTSTAT=ACCEPTED");
    let free = declined
        .replace("declined-2", "free-2")
        .replace("PARTSTAT=DECLINED", "PARTSTAT=TENTATIVE")
        .replace("SUMMARY:Budget review", "SUMMARY:Trade fair\nTRANSP:TRANSPARENT");
    let mut ids = Vec::new();
    for (name, text) in [("declined.ics", declined.to_owned()), ("accepted.ics", accepted), ("free.ics", free)] {
        let report = f.core.import_ics(&dana, &[ics(name, &text)], None).unwrap().remove(0);
        assert_eq!(report.created, 1, "{report:?}");
        ids.push(report.appointment_ids[0]);
    }
    let due = f.core.take_due_reminders(&dana).unwrap();
    let mut reminded: Vec<_> = due.iter().map(|r| r.appointment_id).collect();
    reminded.sort_unstable();
    assert_eq!(reminded, ids[1..], "the accepted meeting and the free event, not the declined one: {due:?}");
}

/// An imported event that leaves the time free (TRANSP:TRANSPARENT, an optional trade fair) stays free when
/// it is edited or dragged here: it neither starts blocking the agent nor is refused for what it overlaps.
#[test]
fn a_free_event_stays_free_when_edited_or_moved() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let fair = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:fair-1@example.org\n\
DTSTAMP:20261201T080000Z\nDTSTART:20261210T080000Z\nDTEND:20261210T160000Z\nSUMMARY:Trade fair (optional)\n\
TRANSP:TRANSPARENT\nEND:VEVENT\nEND:VCALENDAR\n";
    let fair_id = f.core.import_ics(&dana, &[ics("fair.ics", fair)], None).unwrap().remove(0).appointment_ids[0];
    f.core.book_appointment(&dana, &booking(id, "Demo", "2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z")).unwrap();
    let a = f.core.appointment(&dana, fair_id).unwrap();
    let mut input = booking(id, &a.title, &a.start, &a.end);
    input.notes = "Stand B12".into();
    let edited = f.core.update_appointment(&dana, fair_id, a.version, &input).unwrap();
    let moved = f
        .core
        .move_appointment(&dana, fair_id, edited.version, "2026-12-10T08:15:00Z", "2026-12-10T16:15:00Z")
        .expect("moving a free event over a meeting is no clash");
    f.core
        .book_appointment(&dana, &booking(id, "Call", "2026-12-10T11:00:00Z", "2026-12-10T11:30:00Z"))
        .expect("the fair, edited and moved, still leaves the time free");
    assert_eq!(moved.start, "2026-12-10T08:15:00Z");
}

/// An invite is a request to answer its organizer: booked by an agent with an email, it is METHOD:REQUEST with
/// them as ORGANIZER; by an agent without one, it is published (a request without an organizer is no
/// invitation to mail programs, and answers to it would go nowhere).
#[test]
fn an_invite_without_an_organizer_is_published_not_requested() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let a =
        f.core.book_appointment(&dana, &booking(id, "Demo", "2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z")).unwrap();
    let sent = f.core.export_invite(&dana, a.id).unwrap();
    assert!(sent.contains("METHOD:REQUEST") && sent.contains("ORGANIZER"), "{sent}");
    let eve = f.user("eve", Role::Editor, &[]);
    let eve_id = eve.user_id().unwrap();
    agent_settings(&f, &eve, "Europe/Berlin", 0);
    let b = f
        .core
        .book_appointment(&eve, &booking(eve_id, "Call", "2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z"))
        .unwrap();
    let sent = f.core.export_invite(&eve, b.id).unwrap();
    assert!(sent.contains("METHOD:PUBLISH") && !sent.contains("ORGANIZER"), "{sent}");
}

/// The same invite imported again after it was cancelled here changes nothing: the file is no newer than what
/// was imported, and the cancellation made here stands.
#[test]
fn an_invite_imported_again_does_not_undo_a_cancellation_made_here() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let r = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    let id = r.appointment_ids[0];
    f.core.set_appointment_status(&dana, id, rapport_core::calendar::AppointmentStatus::Cancelled).unwrap();
    let again = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    assert_eq!((again.updated, again.unchanged), (0, 1), "{again:?}");
    assert_eq!(f.core.appointment(&dana, id).unwrap().status, rapport_core::calendar::AppointmentStatus::Cancelled);
}

/// A new copy of a series that drops a week and shows as free changes the calendar: both are in the change
/// log, as a move is.
#[test]
fn a_new_copy_that_changes_how_a_series_repeats_is_logged() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let series = |seq: u32, extra: &str| {
        ics(
            "weekly.ics",
            &format!(
                "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:weekly-call\nSUMMARY:Weekly call\n\
SEQUENCE:{seq}\nDTSTART:20261130T100000Z\nDTEND:20261130T110000Z\nRRULE:FREQ=WEEKLY;COUNT=5\n{extra}END:VEVENT\n\
END:VCALENDAR\n"
            ),
        )
    };
    let id = f.core.import_ics(&dana, &[series(0, "")], None).unwrap()[0].appointment_ids[0];
    let report = f
        .core
        .import_ics(&dana, &[series(1, "EXDATE:20261214T100000Z\nTRANSP:TRANSPARENT\n")], None)
        .unwrap()
        .remove(0);
    assert_eq!(report.updated, 1, "{report:?}");
    let logged: Vec<(String, Option<String>, Option<String>)> = f
        .sql()
        .prepare(
            "SELECT field, old_value, new_value FROM change_log WHERE entity = 'appointment' AND entity_id = ?1
             AND field IN ('repeats', 'busy') ORDER BY id",
        )
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert_eq!(logged[0].0, "repeats");
    assert_eq!(logged[0].1.as_deref(), Some("FREQ=WEEKLY;COUNT=5"));
    assert_eq!(logged[0].2.as_deref(), Some("FREQ=WEEKLY;COUNT=5; not 2026-12-14 10:00"));
    assert_eq!((logged[1].1.as_deref(), logged[1].2.as_deref()), (Some("true"), Some("false")));
}

/// A series is stored with the end of its last occurrence, and calendar reads skip it after that end. A COUNT
/// the rule ignores (0), or more occurrences than one expansion yields, used to store an end years short:
/// the rest of the series vanished from the calendar, reminders and clash checks.
#[test]
fn a_series_without_a_readable_end_is_never_cut_short() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let event = |uid: &str, rule: &str| {
        format!(
            "BEGIN:VEVENT\nUID:{uid}\nSUMMARY:{uid}\nDTSTART:20270104T090000Z\nDTEND:20270104T091500Z\nRRULE:{rule}\nEND:VEVENT\n"
        )
    };
    let file = ics(
        "long.ics",
        &format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n{}{}END:VCALENDAR\n",
            event("no-count", "FREQ=HOURLY;COUNT=0"),
            event("long-count", "FREQ=HOURLY;COUNT=100000"),
        ),
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    // COUNT=100000 hourly ends in 2038; 65,535 occurrences (the most one expansion yields) end in 2034.
    let occ = f.core.occurrences(&dana, &[id], "2036-06-01T00:00:00Z", "2036-06-01T02:00:00Z").unwrap();
    let mut titles: Vec<&str> = occ.iter().map(|o| o.summary.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["long-count", "long-count", "no-count", "no-count"], "{occ:?}");
}

/// A "this and future" change that moves a series' later meetings past the series' own last one (Fridays to the
/// Mondays after): the last of them is still busy. The rows kept for a window were found by each row's own span,
/// and neither the series' (ending on its last Friday) nor the change's (its first Monday) reached the last
/// Monday, so a booking over it was let through.
#[test]
fn a_series_moved_from_a_date_on_keeps_its_last_meeting_busy() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "UTC", 0);
    let file = ics(
        "moved.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:friday-call\nSUMMARY:Friday call\n\
DTSTART:20261127T100000Z\nDTEND:20261127T110000Z\nRRULE:FREQ=WEEKLY;COUNT=4\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:friday-call\nSUMMARY:Friday call\nRECURRENCE-ID;RANGE=THISANDFUTURE:20261204T100000Z\n\
DTSTART:20261207T090000Z\nDTEND:20261207T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    let before = f.dump();
    let err = f
        .core
        .book_appointment(&dana, &booking(id, "Client", "2026-12-21T09:00:00Z", "2026-12-21T09:30:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DoubleBooked, "{err}");
    assert!(err.to_string().contains("Friday call"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    // Its old Friday is free.
    f.core.book_appointment(&dana, &booking(id, "Client", "2026-12-18T10:00:00Z", "2026-12-18T10:30:00Z")).unwrap();
}

/// A weekly meeting begun before this week is a meeting this week, for the round-robin's load and for a
/// suggestion's "meetings this week": they counted the stored rows starting in the window, so a series begun
/// earlier counted as none.
#[test]
fn a_series_begun_earlier_counts_among_this_weeks_meetings() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    // The fixture's clock reads Monday 2026-11-23 09:00Z; the series began on the 10th, a Tuesday.
    let file = ics(
        "weekly.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\nBEGIN:VEVENT\nUID:tuesday-sync\nSUMMARY:Tuesday sync\n\
DTSTART:20261110T150000Z\nDTEND:20261110T160000Z\nRRULE:FREQ=WEEKLY;COUNT=10\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    let request = SlotRequest { duration_minutes: 30, per_agent: 1, ..Default::default() };
    let s = f.core.find_slots(&dana, &request).unwrap();
    let line = s.iter().find(|x| x.agent_name == "dana").unwrap_or_else(|| panic!("{s:?}"));
    assert!(line.explanation.contains("1 meeting this week"), "{}", line.explanation);
}

/// "Create lead" on an invite's attendee: the lead is linked on every copy of the meeting in the agent's
/// calendar (a series and its moved instance), so the moved one is not left a meeting of no lead's (shown in full
/// to every campaign, and made a second lead by a second click); and an address that is a lead already (made by
/// hand since the invite came) is linked, not made a second lead.
#[test]
fn an_attendee_made_a_lead_is_linked_on_every_instance_and_to_the_lead_there_is() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    let guest =
        WEEKLY.replace("SUMMARY:Weekly sync", "SUMMARY:Weekly sync\nATTENDEE;CN=Zed New:mailto:zed.new@example.org");
    let series = f.core.import_ics(&dana, &[ics("weekly.ics", &guest)], None).unwrap().remove(0).appointment_ids[0];
    let moved = guest
        .replace("SEQUENCE:0", "SEQUENCE:1\nRECURRENCE-ID:20261221T100000Z")
        .replace("20261207T100000Z", "20261221T140000Z")
        .replace("20261207T110000Z", "20261221T150000Z")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let moved = f.core.import_ics(&dana, &[ics("move-one.ics", &moved)], None).unwrap().remove(0).appointment_ids[0];
    assert_ne!(series, moved);
    let zed = f.core.create_lead_from_attendee(&dana, series, "zed.new@example.org", None).unwrap();
    assert_eq!(f.core.appointment(&dana, moved).unwrap().lead_id, Some(zed), "the moved instance is Zed's too");
    assert_eq!(invitees(&f, &dana, moved), [("zed.new@example.org".to_string(), Some(zed))]);
    let leads = f.count("leads");
    assert_eq!(f.core.create_lead_from_attendee(&dana, moved, "zed.new@example.org", None).unwrap(), zed);
    assert_eq!(f.count("leads"), leads, "no second Zed");

    let f = fixture();
    let (berlin, _) = dana_in_berlin(&f);
    let invite = f.core.import_ics(&berlin, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0);
    let hans = f.core.create_lead(&berlin, &lead("Hans", "Neu", "hans.neu@example.org"), &Origin::manual()).unwrap();
    let leads = f.count("leads");
    let linked = f.core.create_lead_from_attendee(&berlin, invite.appointment_ids[0], "hans.neu@example.org", None);
    assert_eq!(linked.unwrap(), hans.lead.id, "the lead there is");
    assert_eq!(f.count("leads"), leads, "no second Hans");
}

/// Another lead given to an imported invite changes which lead the meeting is for, not whom its organizer
/// invited: Zoe was dropped from the invitees (and from the exported invite) and Bob, never invited, added.
#[test]
fn another_lead_given_to_an_imported_invite_keeps_its_invitees() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let zoe = f.core.create_lead(&dana, &lead("Zoe", "Mueller", "zoe.mueller@example.com"), &Origin::manual()).unwrap();
    let bob = f.core.create_lead(&dana, &lead("Bob", "Other", "bob@other.example"), &Origin::manual()).unwrap();
    let id = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0).appointment_ids[0];
    let a = f.core.appointment(&dana, id).unwrap();
    assert_eq!(a.lead_id, Some(zoe.lead.id));
    let invited: Vec<String> = a.attendees.iter().map(|x| x.email.clone()).collect();
    let mut input = booking(a.agent_id, &a.title, &a.start, &a.end);
    input.time_zone = a.time_zone.clone().unwrap_or_default();
    input.location = a.location.clone();
    input.notes = a.notes.clone();
    input.lead_id = Some(bob.lead.id);
    let after = f.core.update_appointment(&dana, id, a.version, &input).unwrap();
    assert_eq!(after.lead_id, Some(bob.lead.id));
    let now: Vec<String> = after.attendees.iter().map(|x| x.email.clone()).collect();
    assert_eq!(now, invited, "the invitees as the organizer has them");
    let sent = f.core.export_invite(&dana, id).unwrap().replace("\r\n ", "").to_lowercase();
    assert!(sent.contains("mailto:zoe.mueller@example.com") && !sent.contains("bob@other.example"), "{sent}");
}

/// A reminder at the start still comes when the app asks a few minutes late (a long sync or upkeep held its
/// background work, the computer woke from sleep): it was lost when the ask came more than a minute after the
/// start. It says how long ago the meeting started; past the grace, nothing.
#[test]
fn a_reminder_at_the_start_asked_for_late_still_comes() {
    let (_dir, clock, core, admin) = reminded_agent(&[0]);
    let id = admin.user_id().unwrap();
    // The clock reads 2026-11-23 09:00Z.
    core.book_appointment(&admin, &booking(id, "Stand-up", "2026-11-23T09:10:00Z", "2026-11-23T09:40:00Z")).unwrap();
    core.book_appointment(&admin, &booking(id, "Review", "2026-11-23T09:40:00Z", "2026-11-23T09:50:00Z")).unwrap();
    clock.advance(chrono::Duration::minutes(13));
    let due = core.take_due_reminders(&admin).unwrap();
    assert_eq!(due.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Stand-up"]);
    assert_eq!(due[0].starts_in(rapport_core::Clock::now(clock.as_ref())), "started 3 minutes ago");
    clock.advance(chrono::Duration::minutes(33));
    assert!(core.take_due_reminders(&admin).unwrap().is_empty(), "the review began 6 minutes ago: past the grace");
}

/// The organizer's update of one meeting of a series at the same time (a new room) is that meeting still: the
/// day-before reminder already given is not given again for the changed instance, and its later one comes once.
#[test]
fn an_update_of_one_meeting_of_a_series_does_not_remind_of_it_again() {
    let (_dir, clock, core, admin) = reminded_agent(&[1440, 15]);
    core.import_ics(&admin, &[ics("weekly.ics", WEEKLY)], None).unwrap();
    let taken =
        || core.take_due_reminders(&admin).unwrap().into_iter().map(|r| (r.occurrence, r.minutes)).collect::<Vec<_>>();
    // From Monday 23 November 09:00Z to the day before the second meeting (14 December, 10:00Z).
    clock.advance(chrono::Duration::days(20) + chrono::Duration::hours(1) + chrono::Duration::seconds(30));
    assert_eq!(taken(), [("2026-12-14T10:00:00Z".to_string(), 1440)]);
    let room = WEEKLY
        .replace("SEQUENCE:0", "SEQUENCE:1\nRECURRENCE-ID:20261214T100000Z\nLOCATION:Room 7")
        .replace("20261207T1", "20261214T1")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let r = core.import_ics(&admin, &[ics("room.ics", &room)], None).unwrap().remove(0);
    assert_eq!(r.created, 1, "{r:?}");
    assert!(taken().is_empty(), "the same meeting is not reminded of again");
    clock.advance(chrono::Duration::hours(23) + chrono::Duration::minutes(45));
    assert_eq!(taken(), [("2026-12-14T10:00:00Z".to_string(), 15)]);
    assert!(taken().is_empty(), "once");
}

/// A lead invited to one meeting of someone's series (the invite carries only that instance, with its
/// RECURRENCE-ID) has that meeting on its page: changed instances were left out of a lead's list as their
/// series stands for them, even when the series is not stored.
#[test]
fn a_lead_invited_to_one_meeting_of_a_series_has_it_on_its_page() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    agent_settings(&f, &dana, "UTC", 0);
    let zed = f.core.create_lead(&dana, &lead("Zed", "New", "zed.new@example.org"), &Origin::manual()).unwrap().lead;
    let one = WEEKLY
        .replace("SUMMARY:Weekly sync", "SUMMARY:Weekly sync\nATTENDEE;CN=Zed New:mailto:zed.new@example.org")
        .replace("SEQUENCE:0", "SEQUENCE:1\nRECURRENCE-ID:20261221T100000Z")
        .replace("20261207T100000Z", "20261221T140000Z")
        .replace("20261207T110000Z", "20261221T150000Z")
        .replace("RRULE:FREQ=WEEKLY;COUNT=4\n", "");
    let id = f.core.import_ics(&dana, &[ics("one.ics", &one)], None).unwrap().remove(0).appointment_ids[0];
    let listed: Vec<i64> = f.core.lead_appointments(&dana, zed.id).unwrap().iter().map(|a| a.id).collect();
    assert_eq!(listed, [id]);
    // With its series stored too (and the lead's), the series stands for its meetings, as before.
    let series =
        WEEKLY.replace("SUMMARY:Weekly sync", "SUMMARY:Weekly sync\nATTENDEE;CN=Zed New:mailto:zed.new@example.org");
    let series = f.core.import_ics(&dana, &[ics("weekly.ics", &series)], None).unwrap().remove(0).appointment_ids[0];
    let listed: Vec<i64> = f.core.lead_appointments(&dana, zed.id).unwrap().iter().map(|a| a.id).collect();
    assert_eq!(listed, [series]);
}

/// The organizer's newer copy that adds a guest, or a guest's answer, is written to the change log (who was
/// invited, with each answer): it was stored without a row, in an empty change batch.
#[test]
fn a_change_of_an_invites_guests_is_in_the_change_log() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let id = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0).appointment_ids[0];
    let more = OUTLOOK_INVITE.replace("SEQUENCE:0", "SEQUENCE:1").replace(
        "ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Hans Neu:mailto:hans.neu@example.org",
        "ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE;CN=Hans Neu:mailto:hans.neu@example.org\n\
         ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Ida Neu:mailto:ida@example.org",
    );
    let r = f.core.import_ics(&dana, &[ics("more.ics", &more)], None).unwrap().remove(0);
    assert_eq!(r.updated, 1, "{r:?}");
    let logged: Vec<(String, String)> = f
        .sql()
        .prepare("SELECT old_value, new_value FROM change_log WHERE entity = 'appointment' AND entity_id = ?1 AND field = 'invitees' ORDER BY id")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(logged.len(), 2, "the invitees as first imported, then as changed: {logged:?}");
    assert_eq!(logged[0].0, "", "{logged:?}");
    assert_eq!(logged[0].1, logged[1].0, "{logged:?}");
    assert!(!logged[1].0.contains("ida@example.org") && logged[1].1.contains("ida@example.org"), "{logged:?}");
    assert!(logged[1].0.contains("hans.neu@example.org (needs-action)"), "{logged:?}");
    assert!(logged[1].1.contains("hans.neu@example.org (accepted)"), "{logged:?}");
    let empty: i64 = f
        .sql()
        .query_row("SELECT count(*) FROM change_batches b WHERE NOT EXISTS (SELECT 1 FROM change_log l WHERE l.batch_id = b.id)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(empty, 0, "no empty change batch");
}

/// An invitation whose lead link a newer copy drops (the lead's address changed since) is logged going, as its
/// coming was: the link the import made at first is in the log too.
#[test]
fn an_invitations_link_to_a_lead_dropped_by_a_newer_copy_is_logged() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let zoe = f.core.create_lead(&dana, &lead("Zoe", "Mueller", "zoe.mueller@example.com"), &Origin::manual()).unwrap();
    let id = f.core.import_ics(&dana, &[ics("invite.ics", OUTLOOK_INVITE)], None).unwrap().remove(0).appointment_ids[0];
    let z = f.core.get_lead(&dana, zoe.lead.id).unwrap();
    let mut input = z.to_input();
    input.emails = vec!["zoe@elsewhere.example".into()];
    f.core.update_lead(&dana, z.id, z.version, &input, &Origin::manual()).unwrap();
    let newer = OUTLOOK_INVITE.replace("SEQUENCE:0", "SEQUENCE:1").replace("Raum 4", "Raum 5");
    f.core.import_ics(&dana, &[ics("newer.ics", &newer)], None).unwrap();
    let links: Vec<(String, String)> = f
        .sql()
        .prepare("SELECT old_value, new_value FROM change_log WHERE entity = 'appointment' AND entity_id = ?1 AND field LIKE 'attendee:%' ORDER BY id")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let zid = zoe.lead.id.to_string();
    assert_eq!(links, [(String::new(), zid.clone()), (zid, String::new())], "linked at first, then dropped");
}

/// An event its agent marked private in their calendar (CLASS:PRIVATE) is theirs alone to read: an
/// Administrator and a colleague see its time as "Busy" in the calendar, cannot open it, export it only as busy
/// time, and a booking it refuses does not name it. The agent sees it whole, marked private, and their export
/// keeps the class, so a copy sent back to their server stays private.
#[test]
fn an_agents_private_event_shows_to_everyone_else_as_busy_time() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let colleague = f.user("winter", Role::Editor, &["Autumn"]);
    let agent = autumn.user_id().unwrap();
    let mut l = lead("Ann", "Lee", "ann@lee.com");
    l.campaign = "Autumn".into();
    let ann = f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead;
    // The lead is invited too (a friend, seen at the clinic), and the lunch overlaps it. A file is read in UID
    // order: "a-therapy-1" is stored before the call it overlaps, whose clash note would then name it.
    let file = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:clinic-1\r\n\
DTSTAMP:20261120T000000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:Oncologist\r\n\
LOCATION:Clinic on Elm Street\r\nDESCRIPTION:Bring the scans\r\nCLASS:PRIVATE\r\n\
ATTENDEE;CN=Ann Lee:mailto:ann@lee.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:lunch-1\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:20261124T103000Z\r\nDTEND:20261124T113000Z\r\n\
SUMMARY:Team lunch\r\nCLASS:PUBLIC\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:a-therapy-1\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:20261124T160000Z\r\nDTEND:20261124T170000Z\r\n\
SUMMARY:Therapy\r\nCLASS:CONFIDENTIAL\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:z-call-1\r\nDTSTAMP:20261120T000000Z\r\nDTSTART:20261124T163000Z\r\nDTEND:20261124T170000Z\r\n\
SUMMARY:Pipeline call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    f.core.import_ics(&autumn, &[ics("mine.ics", file)], None).unwrap();
    let (from, to) = ("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z");

    let own = f.core.occurrences(&autumn, &[agent], from, to).unwrap();
    let clinic = own.iter().find(|o| o.summary == "Oncologist").expect("the agent sees their own event");
    assert!(clinic.private && !clinic.hidden && clinic.may_change, "{clinic:?}");
    let lunch = own.iter().find(|o| o.summary == "Team lunch").expect("the public one");
    assert!(!lunch.private, "{lunch:?}");
    let opened = f.core.appointment(&autumn, clinic.appointment_id).unwrap();
    assert!(opened.private && opened.location == "Clinic on Elm Street", "{opened:?}");
    let mine = f.core.export_agent_calendar(&autumn, agent).unwrap();
    assert!(mine.contains("Oncologist") && mine.contains("CLASS:PRIVATE"), "{mine}");

    for reader in [&f.admin, &colleague] {
        let seen = f.core.occurrences(reader, &[agent], from, to).unwrap();
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert_eq!(seen.iter().filter(|o| o.summary == "Busy").count(), 2, "{seen:?}");
        let busy = seen.iter().find(|o| o.appointment_id == clinic.appointment_id).unwrap();
        assert_eq!(busy.summary, "Busy");
        assert!(busy.hidden && !busy.private && !busy.may_change && busy.uid != "clinic-1", "{busy:?}");
        assert!(seen.iter().any(|o| o.summary == "Team lunch"), "{seen:?}");
        assert_eq!(f.core.appointment(reader, clinic.appointment_id).unwrap_err().code(), ErrorCode::NotFound);
        assert_eq!(f.core.export_invite(reader, clinic.appointment_id).unwrap_err().code(), ErrorCode::NotFound);
        let exported = f.core.export_agent_calendar(reader, agent).unwrap();
        for secret in ["Oncologist", "Elm Street", "scans", "clinic-1"] {
            assert!(!exported.contains(secret), "{secret} in {exported}");
        }
        assert!(exported.contains("Team lunch"), "{exported}");
        // Nor on the lead's page, its history, or the note of the event it clashes with.
        assert!(f.core.lead_appointments(reader, ann.id).unwrap().is_empty());
        let history = format!("{:?}", f.core.lead_history(reader, ann.id).unwrap());
        assert!(!history.contains("Oncologist") && !history.contains("Elm Street"), "{history}");
        for clashing in ["Team lunch", "Pipeline call"] {
            let id = seen.iter().find(|o| o.summary == clashing).unwrap().appointment_id;
            let a = f.core.appointment(reader, id).unwrap();
            let note = a.clash.clone().unwrap_or_default();
            assert!(note.contains("another appointment"), "{a:?}");
            assert!(!note.contains("Oncologist") && !note.contains("Therapy"), "{a:?}");
        }
    }
    let on_lead = f.core.lead_appointments(&autumn, ann.id).unwrap();
    assert_eq!(on_lead.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Oncologist"]);
    // An Administrator booking over it is told the agent is busy, not with what.
    let clash = f
        .core
        .book_appointment(&f.admin, &booking(agent, "Demo", "2026-11-24T10:15:00Z", "2026-11-24T10:45:00Z"))
        .unwrap_err();
    assert_eq!(clash.code(), ErrorCode::DoubleBooked);
    let message = clash.to_string();
    assert!(message.contains("another appointment") && !message.contains("Oncologist"), "{message}");
}

/// Only the agent marks their own appointment private, and never a meeting with a lead (its team must see it):
/// both refused on the field, nothing written. Made private and public again, each change is in the log, and
/// colleagues see the title only while it is public.
#[test]
fn only_the_agent_makes_an_appointment_private_and_never_one_with_a_lead() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let agent = autumn.user_id().unwrap();
    let mut l = lead("Ann", "Lee", "ann@lee.com");
    l.campaign = "Autumn".into();
    let ann = f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead;
    let before = f.dump();
    let mut for_autumn = booking(agent, "Dentist", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
    for_autumn.private = true;
    let err = f.core.book_appointment(&f.admin, &for_autumn).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(err.field_errors()[0].field, "private");
    let mut with_lead = for_autumn.clone();
    with_lead.lead_id = Some(ann.id);
    let err = f.core.book_appointment(&autumn, &with_lead).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(err.field_errors()[0].field, "private");
    assert_eq!(f.dump(), before, "nothing written");

    let booked = f.core.book_appointment(&autumn, &for_autumn).unwrap();
    assert!(booked.private);
    let window = ("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z");
    let summaries =
        |a: &Actor| f.core.occurrences(a, &[agent], window.0, window.1).unwrap().into_iter().map(|o| o.summary);
    assert_eq!(summaries(&f.admin).collect::<Vec<_>>(), ["Busy"]);
    assert_eq!(summaries(&autumn).collect::<Vec<_>>(), ["Dentist"]);
    // Dragged to another time, it stays private.
    let moved = f
        .core
        .move_appointment(&autumn, booked.id, booked.version, "2026-11-24T14:00:00Z", "2026-11-24T15:00:00Z")
        .unwrap();
    assert!(moved.private, "{moved:?}");
    assert!(f.core.export_agent_calendar(&autumn, agent).unwrap().contains("CLASS:PRIVATE"));

    let mut public = for_autumn.clone();
    public.private = false;
    public.start = "2026-11-24T14:00:00Z".into();
    public.end = "2026-11-24T15:00:00Z".into();
    let shown = f.core.update_appointment(&autumn, moved.id, moved.version, &public).unwrap();
    assert!(!shown.private);
    assert_eq!(summaries(&f.admin).collect::<Vec<_>>(), ["Dentist"]);
    assert!(!f.core.export_agent_calendar(&f.admin, agent).unwrap().contains("CLASS:PRIVATE"));
    let logged: Vec<(Option<String>, Option<String>)> = f
        .sql()
        .prepare(
            "SELECT old_value, new_value FROM change_log WHERE entity = 'appointment' AND entity_id = ?1
             AND field = 'private' ORDER BY id",
        )
        .unwrap()
        .query_map([booked.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(logged, [(Some("true".to_owned()), Some("false".to_owned()))]);
}

/// Made private here, an imported event stays private when a newer copy says nothing of its class (the
/// organizer's update); a copy that says PUBLIC makes it public again. It went public, the team reading it.
#[test]
fn an_event_made_private_here_stays_so_through_a_newer_copy_without_a_class() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let agent = autumn.user_id().unwrap();
    let copy = |seq: u32, hour: u32, class: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:clinic-2\r\nSEQUENCE:{seq}\r\n\
DTSTAMP:2026112{seq}T000000Z\r\nDTSTART:20261124T{hour:02}0000Z\r\nDTEND:20261124T{:02}0000Z\r\nSUMMARY:Oncologist\r\n\
{class}END:VEVENT\r\nEND:VCALENDAR\r\n",
            hour + 1
        )
    };
    let id = f.core.import_ics(&autumn, &[ics("a.ics", &copy(0, 10, ""))], None).unwrap()[0].appointment_ids[0];
    let a = f.core.appointment(&autumn, id).unwrap();
    let input = rapport_core::calendar::AppointmentInput {
        agent_id: agent,
        lead_id: None,
        title: a.title.clone(),
        start: a.start.clone(),
        end: a.end.clone(),
        time_zone: String::new(),
        location: String::new(),
        video_url: String::new(),
        notes: String::new(),
        status: a.status,
        private: true,
    };
    f.core.update_appointment(&autumn, id, a.version, &input).unwrap();
    let seen_by_admin = || {
        f.core.occurrences(&f.admin, &[agent], "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z").unwrap()[0]
            .summary
            .clone()
    };
    assert_eq!(seen_by_admin(), "Busy");
    f.core.import_ics(&autumn, &[ics("b.ics", &copy(1, 14, ""))], None).unwrap();
    assert_eq!(seen_by_admin(), "Busy", "the organizer's update said nothing of its class");
    assert!(f.core.appointment(&autumn, id).unwrap().start.starts_with("2026-11-24T14:00"));
    f.core.import_ics(&autumn, &[ics("c.ics", &copy(2, 15, "CLASS:PUBLIC\r\n"))], None).unwrap();
    assert_eq!(seen_by_admin(), "Oncologist", "a copy saying PUBLIC makes it public");
}

/// An event stored before Rapport kept classes (so shown to everyone) learns it is private from the same copy
/// imported again: that copy is not new, so it changed nothing and the event stayed public for good.
#[test]
fn a_private_event_stored_before_classes_were_kept_learns_it_from_the_same_copy() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let agent = autumn.user_id().unwrap();
    let file = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:clinic-3\r\n\
DTSTAMP:20261120T000000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:Oncologist\r\n\
CLASS:PRIVATE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    f.core.import_ics(&autumn, &[ics("mine.ics", file)], None).unwrap();
    // As a database of version 25 holds it: no class in the stored event, not private.
    f.sql().execute("UPDATE appointments SET private = 0, event = json_remove(event, '$.class')", []).unwrap();
    let summary = || {
        f.core.occurrences(&f.admin, &[agent], "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z").unwrap()[0]
            .summary
            .clone()
    };
    assert_eq!(summary(), "Oncologist");
    let report = f.core.import_ics(&autumn, &[ics("mine.ics", file)], None).unwrap().remove(0);
    assert_eq!(report.unchanged, 1, "{report:?}");
    assert_eq!(summary(), "Busy");
    let logged: i64 = f
        .sql()
        .query_row(
            "SELECT count(*) FROM change_log WHERE entity = 'appointment' AND field = 'private' AND new_value = 'true'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1);
}

/// What was written while an appointment was private stays its agent's once it is public and given a lead: the
/// lead's team reads its history from then on, not the private title and notes it had before.
#[test]
fn a_lead_history_shows_nothing_an_appointment_held_while_private() {
    let f = fixture();
    let autumn = f.user("autumn", Role::Editor, &["Autumn"]);
    let agent = autumn.user_id().unwrap();
    let mut l = lead("Ann", "Lee", "ann@lee.io");
    l.campaign = "Autumn".into();
    let ann = f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead;
    let mut input = booking(agent, "Dentist", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
    input.notes = "root canal".into();
    input.private = true;
    let a = f.core.book_appointment(&autumn, &input).unwrap();
    input.title = "Call with Ann".into();
    input.notes = "pricing".into();
    input.private = false;
    input.lead_id = Some(ann.id);
    f.core.update_appointment(&autumn, a.id, a.version, &input).unwrap();
    let history = format!("{:?}", f.core.lead_history(&f.admin, ann.id).unwrap());
    assert!(history.contains("Call with Ann") && history.contains("pricing"), "{history}");
    assert!(!history.contains("Dentist") && !history.contains("root canal"), "{history}");
    // The agent still reads all of it.
    let own = format!("{:?}", f.core.lead_history(&autumn, ann.id).unwrap());
    assert!(own.contains("Dentist") && own.contains("root canal"), "{own}");
}

/// A weekly all-day series whose first date was deleted (Google writes an EXDATE on it): the series is told
/// as starting on that date, a date, not the instant its midnight is in UTC.
#[test]
fn an_all_day_series_whose_first_date_is_excluded_says_the_date_it_started() {
    let f = fixture();
    let dana = f.user("dana", Role::Editor, &[]);
    let id = dana.user_id().unwrap();
    agent_settings(&f, &dana, "Europe/Berlin", 0);
    let file = ics(
        "offsite.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nBEGIN:VEVENT\nUID:offsite-1\n\
SUMMARY:Offsite\nDTSTART;VALUE=DATE:20261203\nDTEND;VALUE=DATE:20261204\nRRULE:FREQ=WEEKLY;COUNT=4\n\
EXDATE;VALUE=DATE:20261203\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    f.core.import_ics(&dana, &[file], None).unwrap();
    let occ = f.core.occurrences(&dana, &[id], "2026-12-01T00:00:00Z", "2026-12-31T00:00:00Z").unwrap();
    let starts: Vec<&str> = occ.iter().map(|o| o.start.as_str()).collect();
    assert_eq!(starts, ["2026-12-10", "2026-12-17", "2026-12-24"]);
    let series = f.core.appointment(&dana, occ[0].appointment_id).unwrap();
    assert_eq!((series.start.as_str(), series.end.as_str(), series.all_day), ("2026-12-03", "2026-12-04", true));
}

/// Thunderbird's minor update: the same SEQUENCE and LAST-MODIFIED, a newer DTSTAMP, a new title and place. It
/// was taken for the copy already held ("unchanged") and its changes dropped. The newer stamp is the newer copy;
/// the older arriving late changes nothing back, and the same copy sent again (stamped anew, nothing else new)
/// is unchanged.
#[test]
fn a_minor_update_of_one_sequence_and_one_last_modified_is_taken_by_its_newer_stamp() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let copy = |stamp: &str, title: &str, place: &str| {
        format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\nMETHOD:REQUEST\n\
             BEGIN:VEVENT\nUID:minor-1@thunderbird\nSEQUENCE:0\nDTSTAMP:{stamp}\nLAST-MODIFIED:20220316T191602Z\n\
             DTSTART:20220317T050000Z\nDTEND:20220317T053000Z\nSUMMARY:{title}\nLOCATION:{place}\nEND:VEVENT\n\
             END:VCALENDAR\n"
        )
    };
    let first = copy("20220316T191602Z", "Repeat Event", "Somewhere");
    let minor = copy("20220318T191602Z", "Updated Event", "Updated location");
    let r = f.core.import_ics(&dana, &[ics("event.ics", &first)], None).unwrap().remove(0);
    let id = r.appointment_ids[0];
    let r = f.core.import_ics(&dana, &[ics("update.ics", &minor)], None).unwrap().remove(0);
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 0), "{r:?}");
    let a = f.core.appointment(&dana, id).unwrap();
    assert_eq!((a.title.as_str(), a.location.as_str()), ("Updated Event", "Updated location"));
    let before = f.dump();
    let late = f.core.import_ics(&dana, &[ics("event.ics", &first)], None).unwrap().remove(0);
    assert_eq!((late.updated, late.unchanged), (0, 1), "{late:?}");
    assert!(late.warnings.iter().any(|w| w.contains("earlier copy")), "{late:?}");
    let again = copy("20220320T080000Z", "Updated Event", "Updated location");
    let r = f.core.import_ics(&dana, &[ics("update-again.ics", &again)], None).unwrap().remove(0);
    assert_eq!((r.updated, r.unchanged), (0, 1), "{r:?}");
    assert_eq!(f.dump(), before, "nothing written by the late copy or the copy sent again");
}

/// A calendar exported by Rapport and imported again (a backup restored) is the meetings it holds: unchanged,
/// though the export stamps each anew and writes the status a file without one left unsaid.
#[test]
fn a_calendar_exported_and_imported_again_is_unchanged() {
    let f = fixture();
    let (dana, id) = dana_in_berlin(&f);
    let party = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:19970610T172345Z-AF23B2@example.com\n\
                 DTSTAMP:19970610T172345Z\nDTSTART:19970714T170000Z\nDTEND:19970715T040000Z\nSUMMARY:Bastille Day Party\n\
                 END:VEVENT\nEND:VCALENDAR\n";
    let r = f.core.import_ics(&dana, &[ics("party.ics", party)], None).unwrap().remove(0);
    assert_eq!(r.created, 1, "{r:?}");
    let export = f.core.export_agent_calendar(&dana, id).unwrap();
    assert!(export.contains("STATUS:CONFIRMED") && !export.contains("DTSTAMP:19970610"), "{export}");
    let before = f.dump();
    let again = f.core.import_ics(&dana, &[ics("backup.ics", &export)], None).unwrap().remove(0);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1), "{again:?}");
    assert_eq!(f.dump(), before);
}

/// A cancellation of a meeting this calendar does not hold is said by its UID, and by its title when it has one
/// (a minimal CANCEL has none: it was said as “”).
#[test]
fn a_cancellation_of_an_unknown_meeting_is_said_by_what_it_names() {
    let f = fixture();
    let (dana, _) = dana_in_berlin(&f);
    let cancel = |summary: &str| {
        format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:guid-1@example.com\nSEQUENCE:1\n\
             DTSTAMP:20260101T000000Z\nDTSTART:20260105T090000Z\n{summary}END:VEVENT\nEND:VCALENDAR\n"
        )
    };
    let r = f.core.import_ics(&dana, &[ics("cancel.ics", &cancel(""))], None).unwrap().remove(0);
    assert_eq!(r.warnings, ["cancellation of guid-1@example.com: no such appointment in this calendar"]);
    let r = f.core.import_ics(&dana, &[ics("cancel.ics", &cancel("SUMMARY:Demo\n"))], None).unwrap().remove(0);
    assert_eq!(r.warnings, ["cancellation of “Demo” (guid-1@example.com): no such appointment in this calendar"]);
}
