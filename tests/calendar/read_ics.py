#!/usr/bin/env python3
"""Read one exported .ics file with a second, independent parser (icalendar) and print what it holds as JSON.

    $RAPPORT_TOOLS/pyenv/bin/python tests/calendar/read_ics.py FILE

Prints {"method": METHOD or null, "timezones": [TZID of each VTIMEZONE], "events": [...]}, one event per VEVENT
in file order (recurrence overrides are VEVENTs of their own; nothing is expanded), each
{"uid", "summary", "start", "end", "tzid", "organizer", "attendees", "status", "sequence", "location",
"description", "recurrence_id", "rrule"}:
- start, end, recurrence_id: RFC 3339 UTC with seconds and "Z" for date-times, YYYY-MM-DD for DATE values.
  Floating times (no TZID, no Z) are printed as if UTC, as the Rust side compares them. end is DTEND, else
  DTSTART + DURATION, else DTSTART + 1 day for a DATE, else DTSTART.
- tzid: the TZID parameter of DTSTART as written, or null. Times with a TZID are converted by icalendar 6:
  an IANA name directly; a Windows name ("W. Europe Standard Time") through icalendar's own CLDR table, even
  when the file has a VTIMEZONE of that name; any other name through the file's own VTIMEZONE. A TZID that is
  none of these is read as floating.
- organizer: the address without "mailto:"; attendees: their addresses, likewise, in file order.
- status, location, description, rrule: text (unescaped) or null; sequence: an integer or null.
Strict: a file icalendar cannot parse, or with any line it had to skip (icalendar skips bad lines inside a VEVENT
and notes them), prints {"error": "..."} and exits 2.
"""

import datetime
import json
import sys

UTC = datetime.timezone.utc


def fail(message):
    print(json.dumps({"error": message}, ensure_ascii=False))
    sys.exit(2)


def format_time(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=UTC)  # floating: as UTC
        return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise ValueError(f"not a date or date-time: {value!r}")


def address(value):
    text = str(value).strip()
    return text[len("mailto:"):] if text.lower().startswith("mailto:") else text


def text(component, name):
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):  # a property given twice: all of it, in order
        return "\n".join(str(v) for v in value)
    return str(value)


def event_json(event):
    if "DTSTART" not in event:
        raise ValueError(f"VEVENT {event.get('UID')!s} has no DTSTART")
    start = event["DTSTART"].dt
    if "DTEND" in event:
        end = event["DTEND"].dt
    elif "DURATION" in event:
        end = start + event["DURATION"].dt
    elif isinstance(start, datetime.datetime):
        end = start
    else:
        end = start + datetime.timedelta(days=1)
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    sequence = event.get("SEQUENCE")
    rrules = event.get("RRULE", [])
    if not isinstance(rrules, list):
        rrules = [rrules]
    recurrence_id = event.get("RECURRENCE-ID")
    return {
        "uid": text(event, "UID"),
        "summary": text(event, "SUMMARY"),
        "start": format_time(start),
        "end": format_time(end),
        "tzid": event["DTSTART"].params.get("TZID"),
        "organizer": address(event["ORGANIZER"]) if "ORGANIZER" in event else None,
        "attendees": [address(a) for a in attendees],
        "status": text(event, "STATUS"),
        "sequence": int(sequence) if sequence is not None else None,
        "location": text(event, "LOCATION"),
        "description": text(event, "DESCRIPTION"),
        "recurrence_id": format_time(recurrence_id.dt) if recurrence_id is not None else None,
        "rrule": "\n".join(r.to_ical().decode() for r in rrules) or None,
    }


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    try:
        import icalendar
    except ImportError as error:
        fail(f"{error}: run with the venv's python (scripts/pyenv.sh)")
    try:
        with open(sys.argv[1], "rb") as f:
            calendar = icalendar.Calendar.from_ical(f.read())
        if calendar.name != "VCALENDAR":
            raise ValueError(f"not a VCALENDAR but {calendar.name}")
        skipped = [f"{c.name}: {prop or 'line'}: {message}" for c in calendar.walk() for prop, message in c.errors]
        if skipped:
            raise ValueError("; ".join(skipped))
        result = {
            "method": text(calendar, "METHOD"),
            "timezones": [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")],
            "events": [event_json(event) for event in calendar.walk("VEVENT")],
        }
    except Exception as error:  # any failure to read the file is the file's
        fail(f"{type(error).__name__}: {error}")
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
