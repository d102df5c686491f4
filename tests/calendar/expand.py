#!/usr/bin/env python3
"""Expand the events of one .ics file over a window, independently of Rapport's Rust code.

    $RAPPORT_TOOLS/pyenv/bin/python tests/calendar/expand.py FILE --from 2026-01-01T00:00:00Z --to 2027-01-01T00:00:00Z

Reads FILE with icalendar and expands its VEVENTs with recurring_ical_events (versions: scripts/python-requirements.txt,
venv: scripts/pyenv.sh) over the half-open window [FROM, TO), and prints a JSON array sorted by (start, uid) of
{"uid", "summary", "start", "end"}: RFC 3339 UTC with seconds and "Z" for date-times, YYYY-MM-DD for all-day
(DATE) events, whose end is exclusive (DTEND, else DTSTART + DURATION, else DTSTART + 1 day). A timed event with
neither DTEND nor DURATION has zero length. An event is in the window when it overlaps it (start < TO and
end > FROM); a zero-length one when FROM <= start < TO.
A file that cannot be read prints {"error": "..."} and exits 2. Lines inside a VEVENT that icalendar cannot parse are
skipped by it (its default) and named on stderr.

What recurring_ical_events 3.8 does by default, kept here as it is (checked in its source and on khal's
event_rrule_recuid_cancelled.ics):
- Cancelled occurrences: an override (RECURRENCE-ID) with STATUS:CANCELLED is NOT removed: it is returned like any
  other occurrence, carrying STATUS:CANCELLED (its test test_issue_18_cancel_status.py asserts exactly that). Only
  EXDATE removes an occurrence. So cancelled occurrences appear in this output (which has no status field).
- Floating times (no TZID, no Z) and DATE values: it compares them in the time zone of the window, and the window
  here is in UTC, so they are read as UTC; the printed UTC time of a floating event is its wall-clock time.
  The Rust side does the same when it compares with this output. One exception: recurring_ical_events.of()
  first applies X-WR-TIMEZONE (the x-wr-timezone package, as Google Calendar exports want): in a calendar with
  X-WR-TIMEZONE, floating times are in that zone, not UTC (seen: 20260329T010000 with Europe/Berlin printed
  as 2026-03-29T00:00:00Z).
- TZIDs (icalendar 6): an IANA name first, then a Windows name (icalendar's own, older CLDR table, even when the
  file has a VTIMEZONE of that name), then the file's own VTIMEZONE; an unknown TZID without a VTIMEZONE is
  read as floating, so as UTC here.
"""

import argparse
import datetime
import json
import sys

UTC = datetime.timezone.utc


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(2)


def parse_instant(text):
    """RFC 3339 with Z (or an offset) to an aware UTC datetime."""
    try:
        value = datetime.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an RFC 3339 time: {text!r}")
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone (Z): {text!r}")
    return value.astimezone(UTC)


def format_time(value):
    """A DATE as YYYY-MM-DD; a DATE-TIME in UTC with Z (floating ones read as UTC)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=UTC)  # floating: UTC, as the Rust side compares it
        return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"not a date or date-time: {value!r}")


def sort_key(item):
    # A date sorts as its midnight in UTC, the way the window reads it.
    start = item["start"]
    if len(start) == 10:
        start += "T00:00:00Z"
    return (start, item["uid"])


def expand_file(path, start, stop):
    """The occurrences of the file at `path` in [start, stop), sorted; raises on a file it cannot read."""
    import icalendar
    import recurring_ical_events

    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    for component in calendar.walk():  # icalendar skips bad lines inside a VEVENT: say so, go on
        for prop, message in component.errors:
            print(f"expand.py: {path}: {component.name}: skipped {prop or 'line'}: {message}", file=sys.stderr)
    occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(start, stop)
    events = []
    for event in occurrences:
        begin = event["DTSTART"].dt
        end = event["DTEND"].dt if "DTEND" in event else begin
        events.append(
            {
                "uid": str(event.get("UID", "")),
                "summary": str(event.get("SUMMARY", "")),
                "start": format_time(begin),
                "end": format_time(end),
            }
        )
    events.sort(key=sort_key)
    return events


def batch():
    """--batch: one "FILE<TAB>FROM<TAB>TO" per input line, one JSON object per output line (one process for a
    whole corpus: starting Python per file would cost more than the expansion)."""
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        path, start, stop = line.split("\t")
        try:
            events = expand_file(path, parse_instant(start), parse_instant(stop))
            print(json.dumps({"file": path, "events": events}, ensure_ascii=False))
        except Exception as error:  # the file's failure, reported, and the next file is read
            print(json.dumps({"file": path, "error": f"{type(error).__name__}: {error}"}, ensure_ascii=False))
        sys.stdout.flush()


def main():
    if sys.argv[1:] == ["--batch"]:
        batch()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--from", dest="start", required=True, type=parse_instant, help="RFC 3339, e.g. 2026-01-01T00:00:00Z")
    parser.add_argument("--to", dest="stop", required=True, type=parse_instant, help="RFC 3339, exclusive")
    args = parser.parse_args()
    if args.stop < args.start:
        parser.error("--to is before --from")
    try:
        events = expand_file(args.file, args.start, args.stop)
    except ImportError as error:
        fail(f"{error}: run with the venv's python (scripts/pyenv.sh)")
    except Exception as error:  # any failure to read or expand the file is the file's
        fail(f"{type(error).__name__}: {error}")
    json.dump(events, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
