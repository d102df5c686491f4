// Calendar test doubles: sample agents, appointments and reports, and the mock backend's calendar defaults.
import type { Backend } from '../lib/api';
import type { AgentCalendar, Appointment, IcsFileReport, Occurrence, SlotSuggestion } from '../lib/types';

/** Monday to Friday, 09:00–17:00. */
export const OFFICE_HOURS = [0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));

export function agentCalendar(over: Partial<AgentCalendar> = {}): AgentCalendar {
  return {
    user_id: 1,
    display_name: 'Ada Admin',
    email: 'ada@example.com',
    time_zone: 'Europe/Berlin',
    working_hours: OFFICE_HOURS,
    buffer_minutes: 10,
    min_notice_minutes: 60,
    expertise: ['german'],
    territories: ['DE'],
    weight: 100,
    reminder_minutes: [1440, 30],
    time_off: [],
    ...over,
  };
}

/** Ada (user 1, Berlin) and Dana (user 2, New York). */
export function agentCalendars(): AgentCalendar[] {
  return [
    agentCalendar(),
    agentCalendar({
      user_id: 2,
      display_name: 'Dana Editor',
      email: 'dana@example.com',
      time_zone: 'America/New_York',
      expertise: ['spanish'],
      territories: ['US'],
    }),
  ];
}

export function appointment(over: Partial<Appointment> = {}): Appointment {
  return {
    id: 31,
    uid: 'a31@rapport',
    agent_id: 1,
    agent_name: 'Ada Admin',
    lead_id: 7,
    lead_name: 'Grace Hopper',
    title: 'Demo with Acme',
    location: 'Berlin office',
    video_url: '',
    notes: '',
    status: 'confirmed',
    confirmation: 'sent',
    start: '2026-12-03T09:00:00Z',
    end: '2026-12-03T10:00:00Z',
    all_day: false,
    time_zone: 'Europe/Berlin',
    repeats: false,
    repetition: null,
    last_end: null,
    source: 'rapport',
    clash: null,
    attendees: [],
    sync_pending: false,
    created_at: '2026-11-20T09:00:00Z',
    updated_at: '2026-11-20T09:00:00Z',
    version: 4,
    may_change: true,
    private: false,
    ...over,
  };
}

export function occurrence(over: Partial<Occurrence> = {}): Occurrence {
  return {
    appointment_id: 31,
    uid: 'a31@rapport',
    agent_id: 1,
    summary: 'Demo with Acme',
    start: '2026-12-03T09:00:00Z',
    end: '2026-12-03T10:00:00Z',
    all_day: false,
    status: 'confirmed',
    busy: true,
    lead_id: 7,
    clash: null,
    repeats: false,
    hidden: false,
    may_change: true,
    private: false,
    ...over,
  };
}

export function icsReport(over: Partial<IcsFileReport> = {}): IcsFileReport {
  return {
    file: 'invites.ics',
    created: 1,
    updated: 0,
    cancelled: 0,
    unchanged: 0,
    clashes: [],
    problems: [],
    warnings: [],
    unknown_attendees: [],
    appointment_ids: [31],
    ...over,
  };
}

export function slot(over: Partial<SlotSuggestion> = {}): SlotSuggestion {
  return {
    agent_id: 2,
    agent_name: 'Dana Editor',
    start: '2026-12-04T14:00:00Z',
    end: '2026-12-04T14:30:00Z',
    rank: 1,
    explanation: 'Dana: speaks Spanish, territory US, 3 meetings this week',
    ...over,
  };
}

type CalendarMethods = Pick<
  Backend,
  | 'agentCalendars'
  | 'agentCalendar'
  | 'updateAgentCalendar'
  | 'addTimeOff'
  | 'removeTimeOff'
  | 'occurrences'
  | 'appointment'
  | 'leadAppointments'
  | 'bookAppointment'
  | 'updateAppointment'
  | 'moveAppointment'
  | 'setAppointmentStatus'
  | 'setConfirmation'
  | 'findSlots'
  | 'importIcs'
  | 'createLeadFromAttendee'
  | 'exportInvite'
  | 'exportAgentCalendar'
  | 'caldavAccount'
  | 'caldavCalendars'
  | 'connectCaldav'
  | 'disconnectCaldav'
  | 'syncCaldav'
>;

/** Harmless answers: two agents, no appointments, nothing connected. */
export function calendarMock(): CalendarMethods {
  return {
    agentCalendars: async () => agentCalendars(),
    agentCalendar: async (userId) =>
      agentCalendars().find((c) => c.user_id === userId) ?? agentCalendar({ user_id: userId }),
    updateAgentCalendar: async (_seen, c) => c,
    addTimeOff: async (userId, start, end, note) =>
      agentCalendar({ user_id: userId, time_off: [{ id: 1, start, end, note }] }),
    removeTimeOff: async (userId) => agentCalendar({ user_id: userId, time_off: [] }),
    occurrences: async () => [],
    appointment: async (id) => appointment({ id }),
    leadAppointments: async () => [],
    bookAppointment: async (input) =>
      appointment({ ...input, id: 40, agent_name: 'Ada Admin', lead_name: null, time_zone: input.time_zone || null }),
    updateAppointment: async (id, version, input) =>
      appointment({ ...input, id, version: version + 1, time_zone: input.time_zone || null }),
    moveAppointment: async (id, version, start, end) => appointment({ id, version: version + 1, start, end }),
    setAppointmentStatus: async (id, status) => appointment({ id, status }),
    setConfirmation: async (id, confirmation) => appointment({ id, confirmation }),
    findSlots: async () => [],
    importIcs: async (files) => files.map((f) => icsReport({ file: f.name })),
    createLeadFromAttendee: async () => 99,
    exportInvite: async () => 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
    exportAgentCalendar: async () => 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
    caldavAccount: async () => null,
    caldavCalendars: async (input) => [{ url: input.calendar_url, name: 'Calendar' }],
    connectCaldav: async (input) => ({
      calendar_url: input.calendar_url,
      username: input.username,
      last_sync_at: null,
      last_error: null,
      pending: 0,
    }),
    disconnectCaldav: async () => {},
    syncCaldav: async () => ({ pulled: 0, pushed: 0, removed: 0, clashes: [], conflicts: [], refused: [], problems: [] }),
  };
}
