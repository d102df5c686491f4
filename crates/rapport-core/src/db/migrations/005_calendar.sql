-- Appointments and agents' calendars (seed section 7): no double booking, allocation by availability,
-- expertise and territory, reminders, .ics in and out, CalDAV calendars.

-- An agent's calendar settings, one row per user who takes appointments.
CREATE TABLE agent_calendars (
    user_id            INTEGER PRIMARY KEY REFERENCES users(id),
    -- The address invites are sent from (ORGANIZER); an imported invite from or to it is this agent's.
    email              TEXT NOT NULL DEFAULT '',
    -- IANA zone the working hours are in, and in which floating and all-day events are read.
    time_zone          TEXT NOT NULL,
    -- JSON: [{"weekday": 0..6 (Monday = 0), "start": "09:00", "end": "17:00"}, ...]
    working_hours      TEXT NOT NULL,
    buffer_minutes     INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440),
    min_notice_minutes INTEGER NOT NULL DEFAULT 0 CHECK (min_notice_minutes BETWEEN 0 AND 525600),
    -- JSON arrays: expertise tags ("german", "enterprise"), territories ("DE", "US-CA", "DE-80" = postcodes 80...).
    expertise          TEXT NOT NULL DEFAULT '[]',
    territories        TEXT NOT NULL DEFAULT '[]',
    -- Round-robin weight: an agent with 200 takes about twice the meetings of one with 100.
    weight             INTEGER NOT NULL DEFAULT 100 CHECK (weight BETWEEN 1 AND 1000),
    -- JSON array of minutes before an appointment at which to remind.
    reminder_minutes   TEXT NOT NULL DEFAULT '[15]',
    updated_at         TEXT NOT NULL
);

CREATE TABLE time_off (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    start_utc TEXT NOT NULL,
    end_utc   TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    CHECK (end_utc > start_utc)
);
CREATE INDEX time_off_by_user ON time_off (user_id, end_utc);

-- Connected CalDAV calendars. The password is NOT here: it is in the OS keychain, under this row's id.
CREATE TABLE caldav_accounts (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL UNIQUE REFERENCES users(id),
    calendar_url  TEXT NOT NULL,
    username      TEXT NOT NULL,
    last_sync_at  TEXT,
    last_error    TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE appointments (
    id             INTEGER PRIMARY KEY,
    -- iCalendar UID: an invite re-imported, updated or cancelled finds its appointment by it.
    uid            TEXT NOT NULL,
    -- Set on a changed single occurrence of a repeating appointment: the occurrence's original start.
    recurrence_id  TEXT,
    agent_id       INTEGER NOT NULL REFERENCES users(id),
    -- The lead it is with. Not a foreign key: a merged lead's id stays reserved and its appointments move.
    lead_id        INTEGER,
    title          TEXT NOT NULL,
    location       TEXT NOT NULL DEFAULT '',
    video_url      TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'cancelled', 'no_show', 'completed')),
    -- The whole definition (start in its zone, length, repetition, attendees) as rapport_ics::Event JSON;
    -- the columns below are derived from it for the indexes.
    event          TEXT NOT NULL,
    -- First occurrence's start, and the latest moment any occurrence ends (NULL: repeats forever). UTC,
    -- 'YYYY-MM-DDTHH:MM:SSZ', so text order is time order.
    start_utc      TEXT NOT NULL,
    end_utc        TEXT,
    repeats        INTEGER NOT NULL DEFAULT 0 CHECK (repeats IN (0, 1)),
    busy           INTEGER NOT NULL DEFAULT 1 CHECK (busy IN (0, 1)),
    -- The organizer's zone, kept for display and export (IANA name, or an imported file's TZID).
    time_zone      TEXT,
    sequence       INTEGER NOT NULL DEFAULT 0,
    source         TEXT NOT NULL CHECK (source IN ('rapport', 'ics', 'caldav')),
    -- Imported although it overlaps another appointment: which one(s), in words. Never silently double-booked.
    clash          TEXT,
    confirmation   TEXT NOT NULL DEFAULT 'to_send' CHECK (confirmation IN ('to_send', 'sent', 'confirmed')),
    -- CalDAV: where it lives on the server, its ETag, and whether a local change waits to be sent.
    remote_href    TEXT,
    remote_etag    TEXT,
    sync_pending   INTEGER NOT NULL DEFAULT 0 CHECK (sync_pending IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX appointments_uid ON appointments (agent_id, uid, COALESCE(recurrence_id, ''));
CREATE INDEX appointments_by_agent_end ON appointments (agent_id, end_utc);
CREATE INDEX appointments_repeating ON appointments (agent_id, repeats) WHERE repeats = 1;
CREATE INDEX appointments_by_lead ON appointments (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX appointments_sync ON appointments (agent_id) WHERE sync_pending = 1;

-- Invitees (ATTENDEE), with the lead each address matched by normalized email.
CREATE TABLE appointment_attendees (
    appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    response       TEXT NOT NULL DEFAULT '',
    lead_id        INTEGER,
    PRIMARY KEY (appointment_id, email)
) WITHOUT ROWID;
CREATE INDEX appointment_attendees_by_email ON appointment_attendees (email);

-- Reminders shown: one row per appointment occurrence and offset, so each fires once, across restarts.
CREATE TABLE reminders_sent (
    appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
    occurrence     TEXT NOT NULL,
    minutes        INTEGER NOT NULL,
    sent_at        TEXT NOT NULL,
    PRIMARY KEY (appointment_id, occurrence, minutes)
) WITHOUT ROWID;
