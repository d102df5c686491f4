//! `rapport bench --calendar`: a 10,000-event .ics file (Outlook, Google and UTC styles; about one in seven
//! repeating, with exceptions and moved instances) read, expanded over two years and imported through the
//! real path (clash checks included); then "find a slot" for 50 agents over two weeks.
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Span, Timelike, Utc};
use rapport_core::calendar::{AppointmentInput, AppointmentStatus, IcsFile, SlotRequest, WorkingHours};
use rapport_core::users::{Role, UserInput};

use crate::bench::{measure, ms, open_signed_in, percentile, BenchArgs};
use crate::session::CliResult;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

const VTIMEZONE_WINDOWS: &str = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n\
DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\n\
END:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

/// A calendar file of `n` events over the two years from `start`, deterministic for a seed.
pub fn generate(n: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let start = Utc::now().date_naive() + Span::days(1);
    let mut out = String::with_capacity(n * 400);
    out.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rapport bench//EN\r\n");
    out.push_str(VTIMEZONE_WINDOWS);
    for i in 0..n {
        let day = start + Span::days(rng.i64(0..700));
        let hour = rng.u32(8..18);
        let minute = [0, 15, 30, 45][rng.usize(0..4)];
        let length = [30, 45, 60, 90][rng.usize(0..4)];
        let wall = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
        let end = wall + Span::minutes(length);
        let f = |t: chrono::NaiveDateTime| t.format("%Y%m%dT%H%M%S").to_string();
        let _ = write!(out, "BEGIN:VEVENT\r\nUID:bench-{i}@rapport\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Meeting {i} with a customer\r\n");
        match i % 4 {
            0 | 1 => {
                let _ =
                    write!(out, "DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\n", f(wall), f(end));
            }
            2 => {
                let _ = write!(
                    out,
                    "DTSTART;TZID=W. Europe Standard Time:{}\r\nDTEND;TZID=W. Europe Standard Time:{}\r\n",
                    f(wall),
                    f(end)
                );
            }
            _ => {
                let _ = write!(out, "DTSTART:{}Z\r\nDTEND:{}Z\r\n", f(wall), f(end));
            }
        }
        match i % 50 {
            0..=4 => {
                let _ = write!(out, "RRULE:FREQ=WEEKLY;COUNT={}\r\n", rng.u32(10..60));
            }
            5 => {
                let until = (day + Span::days(rng.i64(30..300))).format("%Y%m%d");
                let _ = write!(
                    out,
                    "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL={until}T235959Z\r\nEXDATE;TZID=Europe/Berlin:{}\r\n",
                    f(wall + Span::days(14))
                );
            }
            6 => {
                let _ = write!(out, "RRULE:FREQ=DAILY;COUNT={}\r\n", rng.u32(5..20));
            }
            7 => {
                let _ = write!(out, "RRULE:FREQ=MONTHLY;BYMONTHDAY={};COUNT=24\r\n", wall.day().min(28));
            }
            _ => {}
        }
        out.push_str(
            "ORGANIZER;CN=Organizer:mailto:organizer@example.com\r\nATTENDEE;CN=Guest:mailto:guest@example.org\r\n",
        );
        out.push_str("END:VEVENT\r\n");
        // A moved instance of some weekly series.
        if i % 50 == 0 {
            let moved = wall + Span::days(7);
            let _ = write!(
                out,
                "BEGIN:VEVENT\r\nUID:bench-{i}@rapport\r\nRECURRENCE-ID;TZID=Europe/Berlin:{}\r\nDTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\nSUMMARY:Meeting {i} (moved)\r\nEND:VEVENT\r\n",
                f(moved),
                f(moved + Span::hours(2)),
                f(moved + Span::hours(2) + Span::minutes(length))
            );
        }
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

pub fn run(args: &BenchArgs, db: Option<std::path::PathBuf>) -> CliResult<()> {
    let events = 10_000;
    let text = generate(events, 7);
    println!("## .ics import: {events} events, {:.1} MB", text.len() as f64 / 1e6);

    // Reading and expanding, pure, measured alone (best of 5: the file is the same each time).
    let mut read_times = Vec::new();
    let mut expand_times = Vec::new();
    let mut occurrences = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let cal = rapport_ics::read(text.as_bytes());
        read_times.push(t.elapsed());
        let now = Utc::now();
        let t = Instant::now();
        let exp = rapport_ics::expand(
            &cal.events,
            now,
            now + Span::days(730),
            &rapport_ics::Zone::Iana(chrono_tz::Europe::Berlin),
        );
        expand_times.push(t.elapsed());
        occurrences = exp.occurrences.len();
        if !cal.problems.is_empty() {
            return Err(format!("the generated file has problems: {:?}", cal.problems.first()));
        }
    }
    read_times.sort();
    expand_times.sort();
    println!("read (parse, zones):             {}", ms(read_times[0]));
    println!("expand over two years:           {} ({occurrences} occurrences)", ms(expand_times[0]));

    let dir = tempfile::tempdir().map_err(err)?;
    let path = db.unwrap_or_else(|| dir.path().join("calendar-bench.db"));
    let (core, actor) = open_signed_in(&path)?;
    let me = actor.user_id().ok_or("no bench user")?;
    let mut cal = core.agent_calendar(&actor, me).map_err(err)?;
    cal.time_zone = "Europe/Berlin".into();
    core.update_agent_calendar(&actor, cal).map_err(err)?;
    let file = IcsFile { name: "bench.ics".into(), bytes: text.into_bytes() };
    let t = Instant::now();
    let report = core.import_ics(&actor, std::slice::from_ref(&file), Some(me)).map_err(err)?.remove(0);
    let first = t.elapsed();
    println!(
        "import, first time (read, expand, clash checks, write): {} — {} created, {} clashing",
        ms(first),
        report.created,
        report.clashes.len()
    );
    let t = Instant::now();
    let again = core.import_ics(&actor, std::slice::from_ref(&file), Some(me)).map_err(err)?.remove(0);
    println!("import, same file again (nothing changes): {} — {} unchanged", ms(t.elapsed()), again.unchanged);

    println!("\n## find a slot: 50 agents, two weeks, {} samples", args.samples);
    let now = Utc::now();
    let mut agents = Vec::new();
    for i in 0..50 {
        let name = format!("agent{i:02}");
        let user = core
            .create_user(
                &actor,
                &UserInput {
                    username: name.clone(),
                    display_name: format!("Agent {i}"),
                    role: Role::Editor,
                    active: true,
                    campaigns: vec![],
                    all_campaigns: true,
                },
                "bench-password",
            )
            .map_err(err)?;
        let mut cal = core.agent_calendar(&actor, user.id).map_err(err)?;
        cal.time_zone = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London"][i % 4].into();
        cal.working_hours =
            (0..5).map(|d| WorkingHours { weekday: d, start: "09:00".into(), end: "17:00".into() }).collect();
        cal.buffer_minutes = 10;
        cal.expertise = vec![["german", "french", "enterprise"][i % 3].into()];
        cal.territories = vec![["DE", "FR", "US", "GB", "JP"][i % 5].into()];
        core.update_agent_calendar(&actor, cal).map_err(err)?;
        agents.push(user.id);
    }
    // About 30 meetings per agent in the fortnight, in working hours (clashing ones are refused and skipped).
    let mut rng = fastrand::Rng::with_seed(11);
    let mut booked = 0;
    for &agent in &agents {
        for _ in 0..40 {
            let day = now + Span::days(rng.i64(0..14));
            let start = day.with_hour(rng.u32(7..22)).unwrap_or(day).with_minute(0).unwrap_or(day);
            let input = AppointmentInput {
                agent_id: agent,
                lead_id: None,
                title: "Customer call".into(),
                start: start.to_rfc3339(),
                end: (start + Span::minutes(45)).to_rfc3339(),
                time_zone: String::new(),
                location: String::new(),
                video_url: String::new(),
                notes: String::new(),
                status: AppointmentStatus::Confirmed,
                private: false,
            };
            if core.book_appointment(&actor, &input).is_ok() {
                booked += 1;
            }
        }
    }
    println!("{booked} appointments booked across the agents");
    let request = SlotRequest { duration_minutes: 30, per_agent: 3, ..Default::default() };
    let mut found = 0;
    let times = measure(args.samples, |_| {
        found = core.find_slots(&actor, &request).map_err(err)?.len();
        Ok(())
    })?;
    println!(
        "every agent (no filter):  p50 {}  p95 {}  ({found} suggestions)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95))
    );
    let filtered = SlotRequest { expertise: vec!["german".into()], country: "DE".into(), ..request.clone() };
    let times = measure(args.samples, |_| {
        found = core.find_slots(&actor, &filtered).map_err(err)?.len();
        Ok(())
    })?;
    println!(
        "expertise + territory:    p50 {}  p95 {}  ({found} suggestions)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95))
    );
    let one: Duration = percentile(&times, 0.5);
    let _ = one;
    Ok(())
}
