//! `cargo run -p rapport-ics --example expand -- FILE FROM TO`: the occurrences of FILE overlapping
//! [FROM, TO) as JSON (uid, summary, start, end), floating times read as UTC; problems on stderr.
//! The same shape as tests/calendar/expand.py prints, for comparing by hand.

use chrono::{DateTime, Utc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, from, to] = args.as_slice() else {
        return Err("usage: expand FILE FROM TO".into());
    };
    let from: DateTime<Utc> = from.parse()?;
    let to: DateTime<Utc> = to.parse()?;
    let cal = rapport_ics::read(&std::fs::read(file)?);
    for p in &cal.problems {
        eprintln!("problem: line {}: {}", p.line, p.message);
    }
    for w in &cal.warnings {
        eprintln!("warning: {w}");
    }
    let exp = rapport_ics::expand(&cal.events, from, to, &rapport_ics::Zone::Utc);
    for w in &exp.warnings {
        eprintln!("warning: {w}");
    }
    let rows: Vec<serde_json::Value> = exp
        .occurrences
        .iter()
        .map(|o| {
            let summary = cal.events.get(o.event).and_then(|e| e.summary.clone());
            serde_json::json!({"uid": o.uid, "summary": summary, "start": o.start.to_text(), "end": o.end.to_text()})
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&rows)?);
    Ok(())
}
