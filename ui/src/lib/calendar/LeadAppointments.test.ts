import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { appointment } from '../../test/calendarFixtures';
import { apiErr, deferred, lead, mockBackend } from '../../test/fixtures';
import LeadPage from '../leads/LeadPage.svelte';
import { nav } from '../nav.svelte';
import { formatSpan } from './labels';
import { browserZone } from './zone';
import { CALENDAR_REFRESH_MS } from './refresh';

function openLead(canWrite = true) {
  render(LeadPage, { id: 7, canWrite, onedit: vi.fn(), onback: vi.fn() });
  return userEvent.setup();
}

describe('Appointments on the lead page', () => {
  it("lists the lead's appointments in time order, in the user's zone, with status and agent", async () => {
    const later = appointment({
      id: 32,
      title: 'Contract signing',
      start: '2026-12-10T14:00:00Z',
      end: '2026-12-10T15:00:00Z',
      status: 'proposed',
      agent_name: 'Dana Editor',
    });
    const first = appointment({ id: 31, title: 'Demo with Acme', status: 'confirmed' });
    const be = mockBackend({ leadAppointments: async () => [later, first] });
    openLead();

    const items = await screen.findAllByTestId('lead-appointment');
    expect(be.leadAppointments).toHaveBeenCalledWith(7);
    expect(items.map((li) => li.getAttribute('data-appointment-id'))).toEqual(['31', '32']);
    expect(items[0]).toHaveTextContent('Demo with Acme');
    expect(items[0]).toHaveTextContent('Confirmed');
    expect(items[0]).toHaveTextContent('with Ada Admin');
    expect(items[0]).toHaveTextContent(formatSpan(first.start, first.end, browserZone()));
    expect(items[1]).toHaveTextContent('Contract signing');
    expect(items[1]).toHaveTextContent('Proposed');
    expect(items[1]).toHaveTextContent('with Dana Editor');
  });

  it('shows what the calendar sync brought without a click, quietly, keeping the list if a read fails', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let list = [appointment({ id: 31, title: 'Demo with Acme' })];
      const be = mockBackend({ leadAppointments: async () => list });
      openLead();
      await screen.findAllByTestId('lead-appointment');
      list = [...list, appointment({ id: 33, title: 'Booked on the phone', start: '2026-12-11T09:00:00Z', end: '2026-12-11T10:00:00Z' })];
      await vi.advanceTimersByTimeAsync(CALENDAR_REFRESH_MS);
      await waitFor(() => expect(screen.getAllByTestId('lead-appointment')).toHaveLength(2));
      be.leadAppointments.mockRejectedValueOnce(new Error('busy'));
      const reads = be.leadAppointments.mock.calls.length;
      window.dispatchEvent(new Event('focus'));
      await waitFor(() => expect(be.leadAppointments.mock.calls.length).toBe(reads + 1));
      expect(screen.getAllByTestId('lead-appointment')).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a series begun long ago as going on, with its repetition, not greyed as a meeting past', async () => {
    const weekly = appointment({
      id: 40,
      title: 'Account review',
      start: '2026-01-05T09:00:00Z',
      end: '2026-01-05T10:00:00Z',
      repeats: true,
      repetition: 'every week on Monday',
    });
    const held = appointment({ id: 41, title: 'Kick-off', start: '2026-01-02T09:00:00Z', end: '2026-01-02T10:00:00Z' });
    // Four weeks, over since: past, as a single meeting over is.
    const over = appointment({
      id: 42,
      title: 'Onboarding',
      start: '2026-01-05T11:00:00Z',
      end: '2026-01-05T12:00:00Z',
      repeats: true,
      repetition: 'every week on Monday, 4 times',
      last_end: '2026-01-26T12:00:00Z',
    });
    mockBackend({ leadAppointments: async () => [weekly, held, over] });
    openLead();
    const items = await screen.findAllByTestId('lead-appointment');
    const series = items.find((li) => li.getAttribute('data-appointment-id') === '40')!;
    const past = items.find((li) => li.getAttribute('data-appointment-id') === '41')!;
    expect(series).toHaveTextContent(`From ${formatSpan(weekly.start, weekly.end, browserZone())}`);
    expect(within(series).getByTestId('lead-appointment-repeats')).toHaveTextContent('every week on Monday');
    expect(series).not.toHaveClass('past');
    expect(past).toHaveClass('past');
    expect(items.find((li) => li.getAttribute('data-appointment-id') === '42')).toHaveClass('past');
  });

  it('says when there are none', async () => {
    mockBackend();
    openLead();
    expect(await screen.findByTestId('lead-appointments-empty')).toHaveTextContent('No appointments.');
  });

  it('books an appointment for this lead from its page, then lists it', async () => {
    const booked = appointment({ id: 40, title: 'Meeting with Grace Hopper' });
    const be = mockBackend({
      leadAppointments: vi.fn().mockResolvedValueOnce([]).mockResolvedValue([booked]),
      bookAppointment: async () => booked,
    });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-book-appointment'));
    await waitFor(() => expect(be.leadHistory).toHaveBeenCalled());
    const historyReads = be.leadHistory.mock.calls.length;

    const dialog = await screen.findByTestId('book-dialog');
    // The lead is already chosen; the agent is the first one there is.
    expect(within(dialog).getByTestId('book-lead-chosen')).toHaveTextContent('Grace Hopper');
    await waitFor(() => expect(within(dialog).getByTestId('book-agent')).toHaveValue('1'));
    await u.click(within(dialog).getByTestId('book-submit'));

    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
    expect(be.bookAppointment.mock.calls[0][0]).toMatchObject({
      lead_id: 7,
      agent_id: 1,
      title: 'Meeting with Grace Hopper',
    });
    await waitFor(() => expect(screen.queryByTestId('book-dialog')).toBeNull());
    expect(await screen.findByTestId('lead-appointment')).toHaveTextContent('Meeting with Grace Hopper');
    // The booking is in the lead's history: the history is read again.
    await waitFor(() => expect(be.leadHistory.mock.calls.length).toBeGreaterThan(historyReads));
  });

  it('opens an appointment: details, status change, invite download, attendees', async () => {
    const full = appointment({
      attendees: [
        { email: 'grace@navy.mil', name: 'Grace Hopper', response: 'ACCEPTED', lead_id: 7, colleague: null },
        { email: 'bob@acme.example', name: 'Bob Buyer', response: 'NEEDS-ACTION', lead_id: null, colleague: null },
      ],
    });
    const be = mockBackend({
      leadAppointments: async () => [appointment()],
      appointment: async () => full,
      setAppointmentStatus: async (_id, status) => ({ ...full, status }),
      createLeadFromAttendee: async () => 88,
    });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));

    const panel = await screen.findByTestId('appointment-panel');
    await within(panel).findByTestId('attendees');
    expect(panel).toHaveTextContent('Demo with Acme');
    expect(panel).toHaveTextContent('Berlin office');

    await u.selectOptions(within(panel).getByTestId('appointment-status'), 'completed');
    await waitFor(() => expect(be.setAppointmentStatus).toHaveBeenCalledWith(31, 'completed'));
    await waitFor(() => expect(within(panel).getByTestId('appointment-status-badge')).toHaveTextContent('Completed'));
    // The list behind is read again with the change.
    await waitFor(() => expect(be.leadAppointments).toHaveBeenCalledTimes(2));

    const [known, unknown] = within(panel).getAllByTestId('attendee');
    expect(known).toHaveTextContent('Accepted');
    expect(within(known).queryByTestId('attendee-create-lead')).toBeNull();
    expect(unknown).toHaveTextContent('No reply yet');
    await u.click(within(unknown).getByTestId('attendee-create-lead'));
    expect(be.createLeadFromAttendee).toHaveBeenCalledWith(31, 'bob@acme.example', null);
    expect(await within(unknown).findByTestId('attendee-lead-link')).toBeInTheDocument();

    await u.click(within(panel).getByTestId('appointment-download-ics'));
    await waitFor(() => expect(be.saveDownload).toHaveBeenCalledOnce());
    expect(be.exportInvite).toHaveBeenCalledWith(31);
    expect(be.saveDownload.mock.calls[0][0]).toBe('Demo with Acme.ics');
    expect(be.saveDownload.mock.calls[0][1]).toContain('BEGIN:VCALENDAR');
    // Said in the dialog, which a notice would sit behind.
    expect(await within(panel).findByTestId('saved-path')).toHaveTextContent(
      'Saved to /home/ada/Downloads/Demo with Acme.ics',
    );

    await u.click(within(unknown).getByTestId('attendee-lead-link'));
    expect(nav.view).toEqual({ name: 'lead', id: 88 });
  });

  it('saves the invite once however often Download is clicked while it runs', async () => {
    const exporting = deferred<string>();
    const be = mockBackend({ leadAppointments: async () => [appointment()], exportInvite: () => exporting.promise });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    const button = await within(panel).findByTestId('appointment-download-ics');
    await fireEvent.click(button);
    await fireEvent.click(button);
    await waitFor(() => expect(button).toBeDisabled());
    expect(button).toHaveAttribute('aria-busy', 'true');
    exporting.resolve('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    await within(panel).findByTestId('saved-path');
    expect(button).not.toBeDisabled();
    expect(be.exportInvite).toHaveBeenCalledOnce();
    expect(be.saveDownload).toHaveBeenCalledOnce();
  });

  it('says a failed save of the invite in the backend\'s words alone, and a failed export as one', async () => {
    const be = mockBackend({
      leadAppointments: async () => [appointment()],
      saveDownload: async () => {
        throw apiErr({ code: 'io', message: 'Could not save Demo with Acme.ics in /home/ada/Downloads: disk full' });
      },
    });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    await u.click(await within(panel).findByTestId('appointment-download-ics'));
    expect(await within(panel).findByTestId('save-error')).toHaveTextContent(
      /^Could not save Demo with Acme\.ics in \/home\/ada\/Downloads: disk full$/,
    );

    be.exportInvite.mockRejectedValue(apiErr({ code: 'not_found', message: 'appointment 31 does not exist' }));
    await u.click(within(panel).getByTestId('appointment-download-ics'));
    await waitFor(() =>
      expect(within(panel).getByTestId('save-error')).toHaveTextContent(
        /^Could not download the invite: Appointment 31 does not exist$/,
      ),
    );
  });

  it('offers no change form for an all-day event, and says a series status is the whole series\'', async () => {
    const allDay = appointment({ all_day: true, start: '2026-12-03', end: '2026-12-04' });
    mockBackend({ leadAppointments: async () => [allDay], appointment: async () => allDay });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    await within(panel).findByTestId('appointment-status');
    expect(within(panel).queryByTestId('appointment-edit')).toBeNull();
    expect(within(panel).queryByTestId('appointment-series-note')).toBeNull();
  });

  it('says that the status of a repeating appointment is the whole series\'', async () => {
    const series = appointment({ repeats: true, repetition: 'weekly' });
    mockBackend({ leadAppointments: async () => [series], appointment: async () => series });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    expect(await within(panel).findByTestId('appointment-series-note')).toHaveTextContent('every meeting of the series');
    expect(within(panel).getByLabelText('Status of the series')).toBe(within(panel).getByTestId('appointment-status'));
  });

  it('puts a refused status back in its select', async () => {
    mockBackend({
      leadAppointments: async () => [appointment()],
      setAppointmentStatus: async () => {
        throw apiErr({ code: 'not_found', message: 'appointment 31 does not exist' });
      },
    });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    const select = await within(panel).findByTestId('appointment-status');
    const shown = (select as HTMLSelectElement).value;
    await u.selectOptions(select, 'cancelled');
    await waitFor(() => expect(select).not.toBeDisabled());
    expect(select).toHaveValue(shown);
    expect(shown).not.toBe('cancelled');
    // Said in the panel: a toast would sit behind it.
    expect(within(panel).getByTestId('appointment-change-error')).toHaveTextContent(
      'Could not change the status: Appointment 31 does not exist',
    );
    expect(within(panel).getByRole('alert')).toBe(within(panel).getByTestId('appointment-change-error'));
  });

  it('says a refused confirmation in the panel, and clears it with the next change', async () => {
    let refuse = true;
    mockBackend({
      leadAppointments: async () => [appointment()],
      setConfirmation: async (id, confirmation) => {
        if (refuse) throw apiErr({ code: 'validation', message: 'the lead has no email address to confirm to' });
        return appointment({ id, confirmation });
      },
    });
    const u = openLead();
    await u.click(await screen.findByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    const select = await within(panel).findByTestId('appointment-confirmation');
    const other = [...(select as HTMLSelectElement).options].map((o) => o.value).find((v) => v !== (select as HTMLSelectElement).value)!;
    await u.selectOptions(select, other);
    expect(await within(panel).findByTestId('appointment-change-error')).toHaveTextContent(
      'Could not change the confirmation: The lead has no email address to confirm to',
    );
    refuse = false;
    await waitFor(() => expect(select).not.toBeDisabled());
    await u.selectOptions(select, other);
    await waitFor(() => expect(within(panel).queryByTestId('appointment-change-error')).toBeNull());
  });

  it('offers no booking and no status change to those who may not write', async () => {
    mockBackend({ leadAppointments: async () => [appointment()] });
    const u = openLead(false);
    await screen.findByTestId('lead-appointment');
    expect(screen.queryByTestId('lead-book-appointment')).toBeNull();
    await u.click(screen.getByTestId('lead-appointment-open'));
    const panel = await screen.findByTestId('appointment-panel');
    await waitFor(() => expect(within(panel).getByTestId('appointment-status')).toBeDisabled());
    expect(within(panel).queryByTestId('appointment-edit')).toBeNull();
  });

  it('shows the appointments of the lead it is about', async () => {
    mockBackend({ getLead: async () => lead({ id: 7 }), leadAppointments: async () => [] });
    openLead();
    expect(await screen.findByTestId('lead-appointments')).toHaveTextContent('Appointments');
  });
});
