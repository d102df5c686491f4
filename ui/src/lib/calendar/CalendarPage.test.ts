import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { agentCalendar, appointment, occurrence } from '../../test/calendarFixtures';
import { formatSpan } from './labels';
import { deferred, mockBackend, sessionFor } from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import type { Backend } from '../api';
import type { Occurrence } from '../types';
import CalendarPage from './CalendarPage.svelte';
import { CALENDAR_REFRESH_MS } from './refresh';
import { browserZone, todayIn, zonedToUtc, zonedWall } from './zone';

/** An occurrence today at `hh:mm` in the computer's zone (the calendar opens on this week). */
function today(hhmm: string, over: Parameters<typeof occurrence>[0] = {}) {
  const start = zonedToUtc(`${todayIn(browserZone())} ${hhmm}:00`, browserZone());
  const end = new Date(Date.parse(start) + 3_600_000).toISOString().replace('.000', '');
  return occurrence({ start, end, ...over });
}

/** The calendar's element of appointment `id`, once drawn. */
function eventOf(id: number): Promise<HTMLElement> {
  return waitFor(() => {
    const e = document.querySelector<HTMLElement>(`.ec-event[data-appointment-id="${id}"]`);
    expect(e).not.toBeNull();
    return e!;
  });
}

function openPage(role: 'viewer' | 'editor' | 'administrator' = 'editor', over: Partial<Backend> = {}) {
  session.current = sessionFor(role, { id: 1 });
  const be = mockBackend(over);
  render(CalendarPage);
  return { be, u: userEvent.setup() };
}

describe('CalendarPage', () => {
  it("opens on the signed-in agent's week and shows each appointment with its id and local time", async () => {
    const { be } = openPage('editor', {
      occurrences: async () => [
        today('10:00'),
        today('14:30', { appointment_id: 32, summary: 'Call with Bob', uid: 'b' }),
      ],
    });
    expect(await screen.findByTestId('calendar-page')).toBeInTheDocument();
    await waitFor(() => expect(be.occurrences).toHaveBeenCalled());
    const [ids, from, to] = be.occurrences.mock.calls[0];
    expect(ids).toEqual([1]);
    // A week, Monday to Monday, as UTC instants.
    expect(Date.parse(to) - Date.parse(from)).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
    expect(screen.getByTestId('calendar-agent-select')).toHaveValue('1');
    expect(screen.getByTestId('calendar-view-week')).toHaveAttribute('aria-pressed', 'true');

    const demo = await waitFor(() => {
      const el = document.querySelector<HTMLElement>('.ec-appt[data-appointment-id="31"]');
      expect(el).not.toBeNull();
      return el!;
    });
    expect(demo).toHaveAttribute('data-start', '10:00');
    expect(within(demo).getByTestId('event-time')).toHaveTextContent('10:00');
    expect(demo).toHaveTextContent('Demo with Acme');
    expect(document.querySelector('.ec-appt[data-appointment-id="32"]')).toHaveAttribute('data-start', '14:30');
    expect(screen.queryByTestId('calendar-empty')).toBeNull();
  });

  it('shades off hours and time off, greys hidden ones as Busy, strikes cancelled ones and flags clashes', async () => {
    const day = todayIn(browserZone());
    openPage('editor', {
      agentCalendars: async () => [
        agentCalendar({
          time_zone: browserZone(),
          time_off: [
            {
              id: 4,
              start: zonedToUtc(`${day} 12:00:00`, browserZone()),
              end: zonedToUtc(`${day} 13:00:00`, browserZone()),
              note: 'Dentist',
            },
          ],
        }),
      ],
      occurrences: async () => [
        today('09:00', { appointment_id: 41, uid: 'h', summary: 'Busy', hidden: true }),
        today('10:00', { appointment_id: 42, uid: 'c', status: 'cancelled' }),
        today('15:00', { appointment_id: 43, uid: 'x', clash: '“Call with Bob” Thu 3 Dec 15:00' }),
      ],
    });
    await waitFor(() => expect(document.querySelectorAll('.ec-event.appt')).toHaveLength(3));
    expect(document.querySelectorAll('.ec-bg-event.off-hours').length).toBeGreaterThan(0);
    expect(document.querySelectorAll('.ec-bg-event.time-off')).toHaveLength(1);
    const hidden = document.querySelector('.ec-event[data-appointment-id="41"]')!;
    expect(hidden).toHaveClass('appt-hidden');
    expect(hidden).toHaveTextContent('Busy');
    expect(document.querySelector('.ec-event[data-appointment-id="42"]')).toHaveClass('appt-cancelled');
    const clash = document.querySelector<HTMLElement>('.ec-event[data-appointment-id="43"]')!;
    expect(clash).toHaveClass('appt-clash');
    expect(within(clash).getByRole('img', { name: 'Overlaps another appointment' })).toBeInTheDocument();
    // A hidden appointment opens nothing: there is nothing to show.
    await fireEvent.click(hidden);
    expect(screen.queryByTestId('appointment-panel')).toBeNull();
  });

  it('shows what the background sync brought without a click: read again each minute and when the window comes back', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let list: Occurrence[] = [today('10:00')];
      const { be } = openPage('editor', { occurrences: async () => list });
      await eventOf(31);
      const reads = be.occurrences.mock.calls.length;
      // Booked on the phone, pulled by the sync the app runs every five minutes.
      list = [today('10:00'), today('15:00', { appointment_id: 40, summary: 'Booked on the phone', uid: 'p' })];
      await vi.advanceTimersByTimeAsync(CALENDAR_REFRESH_MS);
      await eventOf(40);
      expect(be.occurrences.mock.calls.length).toBe(reads + 1);
      // Quietly: no "Loading", and a failed read keeps what is drawn.
      be.occurrences.mockRejectedValueOnce(new Error('busy'));
      window.dispatchEvent(new Event('focus'));
      await waitFor(() => expect(be.occurrences.mock.calls.length).toBe(reads + 2));
      await eventOf(40);
      expect(screen.queryByText(/Could not load the appointments/)).toBeNull();
      expect(screen.queryByLabelText('Loading')).toBeNull();
      // Not while an appointment is open: what the person reads stays as it is.
      await fireEvent.click(await eventOf(40));
      await screen.findByTestId('appointment-panel');
      const open = be.occurrences.mock.calls.length;
      await vi.advanceTimersByTimeAsync(CALENDAR_REFRESH_MS);
      window.dispatchEvent(new Event('focus'));
      expect(be.occurrences.mock.calls.length).toBe(open);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says when there are no appointments this week', async () => {
    openPage();
    expect(await screen.findByTestId('calendar-empty')).toHaveTextContent('No appointments this week for Ada Admin.');
  });

  it('does not leave one agent’s appointments under another’s name when the other’s cannot be read', async () => {
    let calls = 0;
    const { u } = openPage('administrator', {
      occurrences: async () => {
        if (++calls === 1) return [today('10:00')];
        throw new Error('the database is busy');
      },
    });
    await waitFor(() => expect(document.querySelector('.ec-appt[data-appointment-id="31"]')).not.toBeNull());
    await u.selectOptions(screen.getByTestId('calendar-agent-select'), '2');
    expect(await screen.findByText(/the database is busy/i)).toBeInTheDocument();
    await waitFor(() => expect(document.querySelector('.ec-appt[data-appointment-id="31"]')).toBeNull());
  });

  it('does not draw one agent’s appointments under another’s name while the other’s load', async () => {
    let calls = 0;
    const later = deferred<Occurrence[]>();
    const { u } = openPage('administrator', {
      occurrences: async () => (++calls === 1 ? [today('10:00')] : later.promise),
    });
    await waitFor(() => expect(document.querySelector('.ec-appt[data-appointment-id="31"]')).not.toBeNull());
    await u.selectOptions(screen.getByTestId('calendar-agent-select'), '2');
    await waitFor(() => expect(document.querySelector('.ec-appt[data-appointment-id="31"]')).toBeNull());
    later.resolve([]);
  });

  it('shows the team side by side, every agent asked for', async () => {
    const { be, u } = openPage();
    await waitFor(() => expect(be.occurrences).toHaveBeenCalled());
    await u.click(screen.getByTestId('calendar-view-team'));
    await waitFor(() => expect(be.occurrences.mock.lastCall?.[0]).toEqual([1, 2]));
    expect(screen.getByTestId('calendar-view-team')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('calendar-view-month')).toBeDisabled();
    // A column per agent (the widget names them in its day headings).
    await waitFor(() => expect(document.querySelector('.ec [aria-label^="Dana Editor,"]')).not.toBeNull());
    expect(document.querySelector('.ec [aria-label^="Ada Admin,"]')).not.toBeNull();
  });

  it('switches day and month, and reads the other days', async () => {
    const { be, u } = openPage();
    await waitFor(() => expect(be.occurrences).toHaveBeenCalled());
    await u.click(screen.getByTestId('calendar-view-day'));
    await waitFor(() => {
      const [, from, to] = be.occurrences.mock.lastCall!;
      expect(Date.parse(to) - Date.parse(from)).toBeLessThanOrEqual(25 * 3_600_000);
    });
    await u.click(screen.getByTestId('calendar-view-month'));
    await waitFor(() => {
      const [, from, to] = be.occurrences.mock.lastCall!;
      expect(Date.parse(to) - Date.parse(from)).toBeGreaterThanOrEqual(28 * 86_400_000);
    });
    expect(screen.getByTestId('calendar-empty')).toHaveTextContent('this month');
  });

  it("shows the times in the chosen zone: the computer's by default, or the agent's", async () => {
    // A Wednesday noon: a change of zone reopens on the new zone's today, which late on a Sunday (UTC) is
    // already Monday in Berlin, the next week, without the appointment.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T12:00:00Z'));
    try {
      const { be } = openPage('editor', { occurrences: async () => [today('10:00')] });
      await waitFor(() => expect(document.querySelector('.ec-appt[data-appointment-id="31"]')).not.toBeNull());
      const select = screen.getByTestId('calendar-zone-select');
      expect(select).toHaveValue(browserZone());
      const zones = [...select.querySelectorAll('option')].map((o) => o.value);
      expect(zones).toContain('Europe/Berlin');
      expect(zones).toContain('UTC');

      // Whichever listed zone shows another wall time than the computer's.
      const other = ['Europe/Berlin', 'UTC'].find((z) => zonedWall(today('10:00').start, z).slice(11, 16) !== '10:00')!;
      const calls = be.occurrences.mock.calls.length;
      await fireEvent.change(select, { target: { value: other } });
      await waitFor(() => expect(be.occurrences.mock.calls.length).toBeGreaterThan(calls));
      const shifted = zonedWall(today('10:00').start, other).slice(11, 16);
      expect(shifted).not.toBe('10:00');
      await waitFor(() =>
        expect(document.querySelector('.ec-appt[data-appointment-id="31"]')).toHaveAttribute('data-start', shifted),
      );
      expect(
        within(document.querySelector<HTMLElement>('.ec-appt[data-appointment-id="31"]')!).getByTestId('event-time'),
      ).toHaveTextContent(shifted);
      expect(select).toHaveValue(other);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a change of zone in the month view stays on the month shown, not the month its grid starts in', async () => {
    const { be, u } = openPage('editor', { occurrences: async () => [] });
    await waitFor(() => expect(be.occurrences).toHaveBeenCalled());
    await u.click(screen.getByTestId('calendar-view-month'));
    // On to a month whose grid starts with the last days of the month before (its 1st is not a Monday).
    const firstIsMonday = () => new Date(`1 ${screen.getByTestId('calendar-title').textContent?.trim()}`).getDay() === 1;
    await u.click(screen.getByTestId('calendar-next'));
    if (firstIsMonday()) await u.click(screen.getByTestId('calendar-next'));
    expect(firstIsMonday()).toBe(false);
    const month = screen.getByTestId('calendar-title').textContent?.trim() ?? '';
    expect(month).toMatch(/\w+ \d{4}/);
    const other = ['Europe/Berlin', 'UTC', 'America/New_York'].find((z) => z !== browserZone())!;
    await fireEvent.change(screen.getByTestId('calendar-zone-select'), { target: { value: other } });
    await waitFor(() => expect(screen.getByTestId('calendar-title').textContent?.trim()).toBe(month));
  });

  it("a change of zone near midnight shows today in the new zone, not the day it still is in the old one", async () => {
    // 23:30 UTC: already tomorrow in Berlin, still today in UTC; whichever of the two is not the computer's day.
    const now = new Date('2026-11-30T23:30:00Z');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    try {
      const { be } = openPage('editor', { occurrences: async () => [] });
      await waitFor(() => expect(be.occurrences).toHaveBeenCalled());
      await fireEvent.click(screen.getByTestId('calendar-view-day'));
      const other = ['Europe/Berlin', 'UTC'].find((z) => todayIn(z, now) !== todayIn(browserZone(), now))!;
      const calls = be.occurrences.mock.calls.length;
      await fireEvent.change(screen.getByTestId('calendar-zone-select'), { target: { value: other } });
      await waitFor(() => expect(be.occurrences.mock.calls.length).toBeGreaterThan(calls));
      const [, from] = be.occurrences.mock.lastCall!;
      const midnight = zonedToUtc(`${todayIn(other, now)} 00:00:00`, other);
      expect(Date.parse(from)).toBe(Date.parse(midnight));
    } finally {
      vi.useRealTimers();
    }
  });

  it('opens the appointment panel on a click', async () => {
    const { be } = openPage('editor', { occurrences: async () => [today('10:00')] });
    const el = await eventOf(31);
    // A plain click: a pointer press would start the widget's drag, which needs a laid-out page.
    await fireEvent.click(el);
    const panel = await screen.findByTestId('appointment-panel');
    expect(be.appointment).toHaveBeenCalledWith(31);
    expect(await within(panel).findByTestId('appointment-when')).toBeInTheDocument();
  });

  it("shows the meeting of a series that was clicked, not the series' first one", async () => {
    const meeting = today('10:00', { repeats: true });
    openPage('editor', {
      occurrences: async () => [meeting],
      appointment: async () =>
        appointment({ repeats: true, start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z' }),
    });
    const el = await eventOf(31);
    await fireEvent.click(el);
    const when = await screen.findByTestId('appointment-when');
    expect(when).toHaveTextContent(formatSpan(meeting.start, meeting.end, browserZone()));
    expect(screen.getByTestId('appointment-series-start')).toHaveTextContent('Part of a series that started');
  });

  it('offers no change form for a meeting changed within a series (its own record, which the backend refuses)', async () => {
    openPage('editor', {
      occurrences: async () => [today('10:00', { repeats: true })],
      appointment: async () => appointment({ repeats: false }),
    });
    const el = await eventOf(31);
    await fireEvent.click(el);
    const panel = await screen.findByTestId('appointment-panel');
    await within(panel).findByTestId('appointment-when');
    expect(within(panel).queryByTestId('appointment-edit')).toBeNull();
  });

  it("offers no change on a colleague's own event, and says whose it is", async () => {
    openPage('editor', {
      occurrences: async () => [today('10:00')],
      appointment: async () =>
        appointment({ agent_id: 2, agent_name: 'Dana Editor', lead_id: null, source: 'ics', may_change: false }),
    });
    await fireEvent.click(await eventOf(31));
    const panel = await screen.findByTestId('appointment-panel');
    expect(await within(panel).findByTestId('appointment-theirs-note')).toHaveTextContent(
      "On Dana Editor's calendar, their own: only they or an Administrator change it.",
    );
    expect(within(panel).getByTestId('appointment-status')).toBeDisabled();
    expect(within(panel).getByTestId('appointment-confirmation')).toBeDisabled();
    expect(within(panel).queryByTestId('appointment-edit')).toBeNull();
  });

  it('books from the header, and offers nothing to write to viewers', async () => {
    const { u } = openPage();
    await u.click(await screen.findByTestId('book-open'));
    expect(await screen.findByTestId('book-dialog')).toBeInTheDocument();
    expect(screen.getByTestId('book-agent')).toHaveValue('1');
  });

  it('gives viewers the calendar to read only', async () => {
    openPage('viewer');
    await screen.findByTestId('calendar-agent-select');
    expect(screen.queryByTestId('book-open')).toBeNull();
    expect(screen.queryByTestId('ics-import-open')).toBeNull();
    expect(screen.getByTestId('calendar-settings-open')).toBeInTheDocument();
  });

  it('opens the import with .ics files dropped on the page', async () => {
    openPage();
    const page = await screen.findByTestId('calendar-page');
    await screen.findByTestId('calendar-agent-select');
    const file = new File(['BEGIN:VCALENDAR'], 'invite.ics', { type: 'text/calendar' });
    await fireEvent.dragOver(page, { dataTransfer: { types: ['Files'], files: [file] } });
    await fireEvent.drop(page, { dataTransfer: { types: ['Files'], files: [file] } });
    const dialog = await screen.findByTestId('ics-import-dialog');
    expect(within(dialog).getByTestId('ics-import-file')).toHaveTextContent('invite.ics');
  });

  it('says so when no agent is configured', async () => {
    openPage('editor', { agentCalendars: async () => [] });
    expect(await screen.findByTestId('calendar-no-agents')).toHaveTextContent('No agents configured');
    expect(screen.queryByTestId('book-open')).toBeNull();
  });
});

describe('Calendar in the navigation', () => {
  function signedIn(role: 'viewer' | 'editor') {
    return mockBackend({
      appStatus: async () => ({
        startup_error: null,
        initialized: true,
        session: sessionFor(role),
        database_path: 'x',
      }),
    });
  }

  it('is offered to everyone and reached with C, never while typing', async () => {
    signedIn('viewer');
    render(App);
    const u = userEvent.setup();
    const entry = await screen.findByTestId('nav-calendar');
    expect(entry).not.toHaveAttribute('aria-current');
    await u.type(screen.getByTestId('search-input'), 'c');
    expect(nav.view.name).toBe('leads');
    (document.activeElement as HTMLElement).blur();
    await u.keyboard('c');
    expect(await screen.findByTestId('calendar-page')).toBeInTheDocument();
    expect(screen.getByTestId('nav-calendar')).toHaveAttribute('aria-current', 'page');

    await u.keyboard('?');
    expect(await screen.findByTestId('shortcuts-help')).toHaveTextContent('Open the calendar');
  });

  it('opens from its navigation entry', async () => {
    signedIn('editor');
    render(App);
    await userEvent.setup().click(await screen.findByTestId('nav-calendar'));
    expect(await screen.findByTestId('calendar-page')).toBeInTheDocument();
  });
});
