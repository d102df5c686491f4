import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { agentCalendars, appointment, slot } from '../../test/calendarFixtures';
import { apiErr, deferred, mockBackend, sessionFor, summary } from '../../test/fixtures';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import type { Appointment, LeadPage, SlotSuggestion } from '../types';
import BookAppointmentDialog from './BookAppointmentDialog.svelte';

const BERLIN = 'Europe/Berlin';

/** The dialog as Ada (user 1, an Administrator) opens it, unless a test signs in someone else first. */
function open(props: Record<string, unknown> = {}, as = sessionFor('administrator', { id: 1 })) {
  session.current = as;
  const onsaved = vi.fn();
  const onclose = vi.fn();
  render(BookAppointmentDialog, { agents: agentCalendars(), zone: BERLIN, onsaved, onclose, ...props });
  return { onsaved, onclose, u: userEvent.setup() };
}

describe('BookAppointmentDialog', () => {
  it("books in a colleague's calendar only with a lead, and opens on one's own", async () => {
    const be = mockBackend();
    const dana = sessionFor('editor', { id: 2, username: 'dana' });
    const { u } = open({ agents: null, prefill: { start: '2026-12-03T09:00:00Z', end: '2026-12-03T10:00:00Z' } }, dana);
    // Her own calendar, not the first agent listed.
    await waitFor(() => expect(screen.getByTestId('book-agent')).toHaveValue('2'));
    await u.type(screen.getByTestId('book-title'), 'Dentist');
    await u.selectOptions(screen.getByTestId('book-agent'), '1');
    await u.click(screen.getByTestId('book-submit'));
    expect(await screen.findByTestId('error-agent_id')).toHaveTextContent('Choose a lead to book with a colleague');
    expect(be.bookAppointment).not.toHaveBeenCalled();
    await u.selectOptions(screen.getByTestId('book-agent'), '2');
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
  });


  it('opens at the agent’s first working hour when no time was given, not on their Sunday', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-06T07:41:00Z')); // Sunday, 08:41 in Berlin
    try {
      mockBackend();
      const { onclose, u } = open({ prefill: { agentId: 1 } });
      await waitFor(() => expect(screen.getByTestId('book-date')).toHaveValue('2026-12-07'));
      expect(screen.getByTestId('book-time')).toHaveValue('09:00');
      expect(screen.queryByText(/do not work on Sundays/)).toBeNull();
      // A time nobody typed: closing asks nothing.
      await u.click(screen.getByRole('button', { name: 'Cancel' }));
      expect(onclose).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
    // A time given (a slot clicked in the calendar) is kept, Sunday or not.
    open({ prefill: { agentId: 1, start: '2026-12-06T08:00:00Z', end: '2026-12-06T08:30:00Z' } });
    expect(screen.getAllByTestId('book-date').at(-1)).toHaveValue('2026-12-06');
  });

  it('picks with Enter only from the matches of what is typed now', async () => {
    let answer: (v: LeadPage) => void = () => {};
    const be = mockBackend({
      listLeads: (q) =>
        q.text === 'kowalski'
          ? Promise.resolve({ items: [summary(7, { first_name: 'Jan', last_name: 'Kowalski' })], next_cursor: null })
          : new Promise<LeadPage>((r) => (answer = r)),
    });
    const { u } = open({ prefill: { agentId: 1, start: '2026-12-03T09:00:00Z', end: '2026-12-03T10:00:00Z' } });
    const search = screen.getByTestId('book-lead-search');
    await u.type(search, 'kowalski');
    await screen.findByTestId('book-lead-option');
    await u.type(search, '{Backspace}y{Enter}');
    expect(screen.queryByTestId('book-lead-chosen')).toBeNull();
    await waitFor(() => expect(be.listLeads).toHaveBeenLastCalledWith(expect.objectContaining({ text: 'kowalsky' })));
    answer({ items: [summary(8, { first_name: 'Eva', last_name: 'Kowalsky' })], next_cursor: null });
    await waitFor(() => expect(screen.getByTestId('book-lead-option')).toHaveTextContent('Eva Kowalsky'));
    await u.type(search, '{Enter}');
    expect(screen.getByTestId('book-lead-chosen')).toHaveTextContent('Eva Kowalsky');
  });

  it('reads past pages that keep nothing of a scoped search, instead of saying no lead matches', async () => {
    mockBackend({
      listLeads: async (q) =>
        q.after === null
          ? { items: [], next_cursor: 'c1' }
          : { items: [summary(9, { first_name: 'Ada', last_name: 'Lovelace' })], next_cursor: null },
    });
    const { u } = open({ prefill: { agentId: 1, start: '2026-12-03T09:00:00Z', end: '2026-12-03T10:00:00Z' } });
    await u.type(screen.getByTestId('book-lead-search'), 'ada');
    expect(await screen.findByTestId('book-lead-option')).toHaveTextContent('Ada Lovelace');
  });

  it('books what was typed: lead, agent, wall time in the chosen zone as UTC, duration, details', async () => {
    const be = mockBackend({
      listLeads: async (q) => ({
        items: q.text === 'grace' ? [summary(7, { first_name: 'Grace', last_name: 'Hopper' })] : [],
        next_cursor: null,
      }),
    });
    const { onsaved, onclose, u } = open({
      prefill: { agentId: 1, start: '2026-12-03T09:00:00Z', end: '2026-12-03T10:00:00Z' },
    });

    // Prefilled from the calendar selection: 10:00–11:00 Berlin.
    expect(screen.getByTestId('book-date')).toHaveValue('2026-12-03');
    expect(screen.getByTestId('book-time')).toHaveValue('10:00');
    expect(screen.getByTestId('book-duration')).toHaveValue('60');
    expect(screen.getByTestId('book-agent')).toHaveValue('1');

    await u.type(screen.getByTestId('book-lead-search'), 'grace');
    await u.click(await screen.findByTestId('book-lead-option'));
    expect(screen.getByTestId('book-lead-chosen')).toHaveTextContent('Grace Hopper');
    expect(be.listLeads.mock.lastCall?.[0]).toMatchObject({ text: 'grace', limit: 8 });

    await u.selectOptions(screen.getByTestId('book-agent'), '2');
    await u.type(screen.getByTestId('book-title'), 'Solar demo');
    await u.clear(screen.getByTestId('book-time'));
    await u.type(screen.getByTestId('book-time'), '15:30');
    await u.selectOptions(screen.getByTestId('book-duration'), '45');
    await u.type(screen.getByTestId('book-location'), 'Video call');
    await u.type(screen.getByTestId('book-video'), 'https://meet.example.com/x');
    await u.type(screen.getByTestId('book-notes'), 'Bring the brochure');
    await u.selectOptions(screen.getByTestId('book-status'), 'confirmed');
    await u.click(screen.getByTestId('book-submit'));

    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
    expect(be.bookAppointment.mock.calls[0][0]).toEqual({
      agent_id: 2,
      lead_id: 7,
      title: 'Solar demo',
      start: '2026-12-03T14:30:00Z',
      end: '2026-12-03T15:15:00Z',
      // Typed in Berlin for Dana, who works in New York: the zone is kept with the appointment.
      time_zone: BERLIN,
      location: 'Video call',
      video_url: 'https://meet.example.com/x',
      notes: 'Bring the brochure',
      status: 'confirmed',
      private: false,
    });
    expect(onsaved).toHaveBeenCalledOnce();
    expect(onclose).not.toHaveBeenCalled();
    expect(toasts.items[0].message).toMatch(/^Booked “Solar demo”/);
  });

  it("leaves the zone to the agent when booking in the agent's own zone, and names the meeting after the lead", async () => {
    const be = mockBackend();
    const { u } = open({ prefill: { agentId: 1, leadId: 7, leadName: 'Grace Hopper', start: '2026-03-30T08:00:00Z' } });
    // 10:00 Berlin after the DST change is 08:00Z; default duration 30 minutes.
    expect(screen.getByTestId('book-time')).toHaveValue('10:00');
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
    expect(be.bookAppointment.mock.calls[0][0]).toMatchObject({
      agent_id: 1,
      lead_id: 7,
      title: 'Meeting with Grace Hopper',
      start: '2026-03-30T08:00:00Z',
      end: '2026-03-30T08:30:00Z',
      time_zone: '',
    });
  });

  it('shows a double booking in the dialog, keeps it open with everything typed, and books once the time is changed', async () => {
    const clash = 'Ada is already booked then: “Demo with Acme” Thu 3 Dec 10:00–11:00 (Europe/Berlin)';
    const be = mockBackend({
      bookAppointment: vi
        .fn()
        .mockRejectedValueOnce(apiErr({ code: 'double_booked', message: clash }))
        .mockResolvedValueOnce(appointment({ id: 41, title: 'Follow-up' })),
    });
    const { onsaved, onclose, u } = open({ prefill: { agentId: 1, start: '2026-12-03T09:00:00Z' } });
    await u.type(screen.getByTestId('book-title'), 'Follow-up');
    await u.type(screen.getByTestId('book-notes'), 'Second meeting');
    await u.click(screen.getByTestId('book-submit'));

    const error = await screen.findByTestId('book-error');
    expect(error).toHaveTextContent(clash);
    expect(error).toHaveAttribute('data-code', 'double_booked');
    expect(error).toHaveAttribute('role', 'alert');
    expect(screen.getByTestId('book-dialog')).toBeInTheDocument();
    expect(onsaved).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
    expect(screen.getByTestId('book-title')).toHaveValue('Follow-up');
    expect(screen.getByTestId('book-notes')).toHaveValue('Second meeting');

    await u.clear(screen.getByTestId('book-time'));
    await u.type(screen.getByTestId('book-time'), '11:00');
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
    expect(be.bookAppointment.mock.calls[1][0]).toMatchObject({ title: 'Follow-up', start: '2026-12-03T10:00:00Z' });
  });

  it('searches on Enter in the expertise box, and books nothing', async () => {
    const be = mockBackend({ findSlots: async () => [slot()] });
    const { u } = open({ prefill: { leadId: 7, leadName: 'Grace Hopper', agentId: 1 } });
    await u.type(screen.getByTestId('slot-expertise'), 'german{Enter}');
    await waitFor(() => expect(be.findSlots).toHaveBeenCalledWith(expect.objectContaining({ expertise: ['german'] })));
    expect(await screen.findAllByTestId('slot-suggestion')).toHaveLength(1);
    expect(be.bookAppointment).not.toHaveBeenCalled();
    expect(screen.getByTestId('book-dialog')).toBeInTheDocument();
  });

  it('finds slots for the lead and the expertise, lists them with rank and why, and a pick fills agent and time', async () => {
    const be = mockBackend({
      findSlots: async () => [
        slot({
          rank: 2,
          agent_id: 1,
          agent_name: 'Ada Admin',
          start: '2026-12-04T08:00:00Z',
          end: '2026-12-04T08:30:00Z',
          explanation: 'Ada: territory DE, 5 meetings this week',
        }),
        slot(),
      ],
    });
    const { u } = open({ prefill: { leadId: 7, leadName: 'Grace Hopper', agentId: 1 } });
    await u.type(screen.getByTestId('slot-expertise'), 'spanish, solar');
    await u.click(screen.getByTestId('find-slots'));

    const items = await screen.findAllByTestId('slot-suggestion');
    expect(be.findSlots).toHaveBeenCalledWith(
      expect.objectContaining({ lead_id: 7, expertise: ['spanish', 'solar'], duration_minutes: 30, agents: [] }),
    );
    // Best rank first, each with its explanation.
    expect(items[0]).toHaveTextContent('#1');
    expect(items[0]).toHaveTextContent('Dana Editor');
    expect(items[0]).toHaveTextContent('Dana: speaks Spanish, territory US, 3 meetings this week');
    expect(items[1]).toHaveTextContent('#2');
    expect(items[1]).toHaveTextContent('Ada: territory DE, 5 meetings this week');

    await u.click(within(items[0]).getByTestId('slot-use'));
    // 14:00Z is 15:00 in Berlin.
    expect(screen.getByTestId('book-agent')).toHaveValue('2');
    expect(screen.getByTestId('book-date')).toHaveValue('2026-12-04');
    expect(screen.getByTestId('book-time')).toHaveValue('15:00');
    expect(screen.getByTestId('book-duration')).toHaveValue('30');

    // A manual override is just an edit of what the pick filled in.
    await u.selectOptions(screen.getByTestId('book-agent'), '1');
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
    expect(be.bookAppointment.mock.calls[0][0]).toMatchObject({
      agent_id: 1,
      start: '2026-12-04T14:00:00Z',
      end: '2026-12-04T14:30:00Z',
    });
  });

  it('drops suggestions found for another length or lead once the form changes', async () => {
    mockBackend({ findSlots: async () => [slot()] });
    const { u } = open({ prefill: { leadId: 7, leadName: 'Grace Hopper', agentId: 1 } });
    await u.click(screen.getByTestId('find-slots'));
    expect(await screen.findAllByTestId('slot-suggestion')).toHaveLength(1);
    await u.selectOptions(screen.getByTestId('book-duration'), '60');
    await waitFor(() => expect(screen.queryByTestId('slot-suggestion')).toBeNull());
  });

  it('drops the answer of a slot search made for another length, when it comes after the change', async () => {
    const answer = deferred<SlotSuggestion[]>();
    mockBackend({ findSlots: () => answer.promise });
    const { u } = open({ prefill: { agentId: 1 } });
    await u.click(screen.getByTestId('find-slots'));
    await u.selectOptions(screen.getByTestId('book-duration'), '60');
    answer.resolve([slot()]);
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('slot-suggestion')).toBeNull();
    expect(screen.getByTestId('find-slots')).toBeEnabled();
  });

  it('asks only the chosen agent when told to', async () => {
    const be = mockBackend();
    const { u } = open({ prefill: { agentId: 2 } });
    await u.click(screen.getByTestId('slot-only-agent'));
    await u.click(screen.getByTestId('find-slots'));
    expect(await screen.findByTestId('slot-none')).toBeInTheDocument();
    expect(be.findSlots.mock.calls[0][0].agents).toEqual([2]);
  });

  it('books on Enter and on Ctrl+S, and closes on Escape', async () => {
    const be = mockBackend();
    const { u, onclose } = open({ prefill: { agentId: 1 } });
    await u.type(screen.getByTestId('book-title'), 'Call{Enter}');
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledTimes(1));
    screen.getByTestId('book-location').focus();
    await u.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledTimes(2));
    // Escape asks before dropping what was typed; asked again, it closes.
    await u.keyboard('{Escape}');
    expect(onclose).not.toHaveBeenCalled();
    expect(screen.getByTestId('book-discard-question')).toBeInTheDocument();
    await u.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledOnce();
  });

  it("leaves an input method's Enter to it: accepting a word does not book", async () => {
    const be = mockBackend();
    const { u } = open({ prefill: { agentId: 1 } });
    await u.type(screen.getByTestId('book-title'), 'Uchiawase');
    const title = screen.getByTestId('book-title');
    fireEvent.keyDown(title, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(title, { key: 'Enter', keyCode: 229 });
    expect(be.bookAppointment).not.toHaveBeenCalled();
    fireEvent.keyDown(title, { key: 'Enter' });
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
  });

  it('asks before the sidebar, sign-out or closing the window throws away what was typed', async () => {
    mockBackend();
    nav.go({ name: 'calendar' });
    const { u, onclose } = open({ prefill: { agentId: 1 } });
    expect(nav.unsaved).toBe(false);
    await u.type(screen.getByTestId('book-title'), 'Call');
    // The window's close is held while this is so.
    expect(nav.unsaved).toBe(true);
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('book-discard-question')).toBeInTheDocument();
    expect(nav.view.name).toBe('calendar');
    await u.click(screen.getByTestId('book-keep'));
    expect(screen.getByTestId('book-title')).toHaveValue('Call');
    nav.go({ name: 'leads' });
    await u.click(await screen.findByTestId('book-discard'));
    expect(onclose).toHaveBeenCalledOnce();
    await waitFor(() => expect(nav.view.name).toBe('leads'));
  });

  it('closes at once when nothing was typed, never while saving, and keeps a clash said after an Escape', async () => {
    const answer = deferred<Appointment>();
    const be = mockBackend({ bookAppointment: () => answer.promise });
    const { u, onclose } = open({ prefill: { agentId: 1 } });
    await u.type(screen.getByTestId('book-title'), 'Call');
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
    fireEvent.keyDown(screen.getByTestId('book-dialog'), { key: 'Escape' });
    expect(onclose).not.toHaveBeenCalled();
    answer.reject(apiErr({ code: 'double_booked', message: 'Dana is booked then' }));
    expect(await screen.findByTestId('book-error')).toBeInTheDocument();
  });

  it('closes on Escape at once when nothing was typed', async () => {
    mockBackend();
    const { u, onclose } = open({ prefill: { agentId: 1 } });
    await u.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('asks before Escape drops a new time chosen, as it does for text typed', async () => {
    mockBackend();
    const { u, onclose } = open({ prefill: { agentId: 1 } });
    await u.selectOptions(screen.getByTestId('book-duration'), '60');
    await u.keyboard('{Escape}');
    expect(onclose).not.toHaveBeenCalled();
    expect(screen.getByTestId('book-discard-question')).toBeInTheDocument();
  });

  it('closes at once when the only change is the agent it chose for the user', async () => {
    mockBackend();
    const { u, onclose } = open({ agents: undefined, prefill: {} });
    await waitFor(() => expect(screen.getByTestId('book-agent')).toHaveValue('1'));
    await u.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('shows field errors from validation next to their fields', async () => {
    mockBackend({
      bookAppointment: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid appointment',
          fields: [{ field: 'video_url', message: 'is not a web address' }],
        });
      },
    });
    const { u } = open({ prefill: { agentId: 1 } });
    await u.click(screen.getByTestId('book-submit'));
    expect(await screen.findByTestId('error-video_url')).toHaveTextContent('Video link is not a web address');
    expect(screen.queryByTestId('book-error')).toBeNull();
  });

  it("offers Private only in one's own calendar without a lead, and sends it", async () => {
    const be = mockBackend();
    const { u } = open({ prefill: { agentId: 2, start: '2026-12-03T09:00:00Z' } });
    // A colleague's calendar (Ada is an Administrator booking for agent 2): not hers to make private.
    expect(screen.queryByTestId('book-private')).toBeNull();
    await u.selectOptions(screen.getByTestId('book-agent'), '1');
    await u.type(screen.getByTestId('book-title'), 'Dentist');
    await u.click(screen.getByTestId('book-private'));
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.bookAppointment).toHaveBeenCalledOnce());
    expect(be.bookAppointment.mock.calls[0][0]).toMatchObject({ agent_id: 1, lead_id: null, private: true });
  });

  it('keeps an imported private meeting with a lead private, and shows a refusal of it on the box', async () => {
    const be = mockBackend({
      updateAppointment: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid appointment',
          fields: [{ field: 'private', message: 'only the agent marks their own appointment private' }],
        });
      },
    });
    const { u } = open({ appointment: appointment({ id: 31, agent_id: 1, lead_id: 7, private: true }) });
    expect(screen.getByTestId('book-private')).toBeChecked();
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.updateAppointment).toHaveBeenCalledOnce());
    expect(be.updateAppointment.mock.calls[0][2]).toMatchObject({ lead_id: 7, private: true });
    expect(await screen.findByTestId('error-private')).toHaveTextContent(/only the agent marks/i);
  });

  it("makes one's own appointment without a lead private when changing it", async () => {
    const be = mockBackend();
    const { u } = open({ appointment: appointment({ id: 31, agent_id: 1, lead_id: null, lead_name: null, private: false }) });
    await u.click(screen.getByTestId('book-private'));
    expect(screen.getByTestId('book-private')).toBeChecked();
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.updateAppointment).toHaveBeenCalledOnce());
    expect(be.updateAppointment.mock.calls[0][2]).toMatchObject({ private: true });
  });

  it('changes an existing appointment with its version', async () => {
    const be = mockBackend();
    const { u } = open({ appointment: appointment({ id: 31, version: 4 }) });
    expect(screen.getByRole('heading', { name: 'Change appointment' })).toBeInTheDocument();
    expect(screen.getByTestId('book-title')).toHaveValue('Demo with Acme');
    expect(screen.getByTestId('book-time')).toHaveValue('10:00');
    await u.click(screen.getByTestId('book-submit'));
    await waitFor(() => expect(be.updateAppointment).toHaveBeenCalledOnce());
    const [id, version, input] = be.updateAppointment.mock.calls[0];
    expect([id, version]).toEqual([31, 4]);
    expect(input).toMatchObject({
      title: 'Demo with Acme',
      start: '2026-12-03T09:00:00Z',
      end: '2026-12-03T10:00:00Z',
      lead_id: 7,
    });
    expect(be.bookAppointment).not.toHaveBeenCalled();
  });

  describe("outside the agent's working hours", () => {
    /** The notice, every space a plain one (ICU writes a narrow no-break space before "PM"). */
    const notice = () => screen.queryByTestId('outside-hours')?.textContent?.replace(/\s+/g, ' ').trim() ?? null;

    async function setTime(u: ReturnType<typeof userEvent.setup>, time: string) {
      await u.clear(screen.getByTestId('book-time'));
      await u.type(screen.getByTestId('book-time'), time);
    }

    it('says so for a time picked in the calendar at 22:00, and books it all the same', async () => {
      const be = mockBackend();
      // Thu 3 Dec 22:00–23:00 Berlin, picked in Ada's column.
      const { onsaved, u } = open({
        prefill: { agentId: 1, start: '2026-12-03T21:00:00Z', end: '2026-12-03T22:00:00Z' },
      });
      expect(notice()).toBe("Outside Ada Admin's working hours (Mon–Fri 9:00 AM – 5:00 PM, Europe/Berlin).");
      expect(screen.getByTestId('outside-hours')).toHaveAttribute('role', 'status');
      await u.type(screen.getByTestId('book-title'), 'Evening call');
      await u.click(screen.getByTestId('book-submit'));
      await waitFor(() => expect(onsaved).toHaveBeenCalledOnce());
      expect(be.bookAppointment.mock.calls[0][0]).toMatchObject({
        agent_id: 1,
        start: '2026-12-03T21:00:00Z',
        end: '2026-12-03T22:00:00Z',
      });
    });

    it('says so when the time is sooner than the agent asks to be booked ahead', async () => {
      mockBackend();
      const agents = agentCalendars().map((a) => (a.user_id === 1 ? { ...a, min_notice_minutes: 1440, working_hours: [] } : a));
      const start = new Date(Date.now() + 30 * 60_000);
      start.setUTCSeconds(0, 0);
      const end = new Date(start.getTime() + 30 * 60_000);
      open({ agents, prefill: { agentId: 1, start: start.toISOString().replace('.000', ''), end: end.toISOString().replace('.000', '') } });
      expect(notice()).toContain('Sooner than Ada Admin asks to be booked (24 h ahead).');
    });

    it('follows the agent, start and length as they change, even partly outside', async () => {
      mockBackend();
      const { u } = open({ prefill: { agentId: 1, start: '2026-12-03T15:00:00Z', end: '2026-12-03T15:30:00Z' } });
      // 16:00–16:30 Berlin: inside.
      expect(notice()).toBeNull();
      await u.selectOptions(screen.getByTestId('book-duration'), '90');
      // Until 17:30: partly after.
      expect(notice()).toMatch(/^Outside Ada Admin's working hours/);
      await u.selectOptions(screen.getByTestId('book-duration'), '60');
      expect(notice()).toBeNull();
      await setTime(u, '22:00');
      expect(notice()).toMatch(/^Outside Ada Admin's working hours/);
      await setTime(u, '09:00');
      expect(notice()).toBeNull();
      // 9:00 in Berlin is 3:00 in New York, where Dana works.
      await u.selectOptions(screen.getByTestId('book-agent'), '2');
      expect(notice()).toBe(
        "Outside Dana Editor's working hours (Mon–Fri 9:00 AM – 5:00 PM, America/New_York). " +
          'That is Dec 3, 2026, 3:00 AM – 4:00 AM for them.',
      );
      // 16:00 in Berlin is 10:00 in New York.
      await setTime(u, '16:00');
      expect(notice()).toBeNull();
    });

    it('says so on a day the agent does not work', async () => {
      mockBackend();
      open({ prefill: { agentId: 1, start: '2026-12-03T09:00:00Z' } });
      expect(notice()).toBeNull();
      await fireEvent.input(screen.getByTestId('book-date'), { target: { value: '2026-12-05' } });
      expect(notice()).toBe(
        "Outside Ada Admin's working hours (Mon–Fri 9:00 AM – 5:00 PM, Europe/Berlin). They do not work on Saturdays.",
      );
    });

    it("reads the hours of agents it loads itself (booking from a lead's page)", async () => {
      mockBackend();
      open({
        agents: null,
        prefill: { leadId: 7, leadName: 'Grace Hopper', agentId: 2, start: '2026-12-03T03:00:00Z' },
      });
      // 3:00Z is 10:00 PM the evening before in New York.
      await waitFor(() =>
        expect(notice()).toMatch(/^Outside Dana Editor's working hours \(Mon–Fri 9:00 AM – 5:00 PM/),
      );
    });

    it('says so when an appointment is changed to a time outside them, and saves it all the same', async () => {
      const be = mockBackend();
      const { u } = open({ appointment: appointment({ id: 31, version: 4 }) });
      // 10:00–11:00 Berlin.
      expect(notice()).toBeNull();
      await setTime(u, '22:00');
      expect(notice()).toBe("Outside Ada Admin's working hours (Mon–Fri 9:00 AM – 5:00 PM, Europe/Berlin).");
      await u.click(screen.getByTestId('book-submit'));
      await waitFor(() => expect(be.updateAppointment).toHaveBeenCalledOnce());
      expect(be.updateAppointment.mock.calls[0][2]).toMatchObject({
        start: '2026-12-03T21:00:00Z',
        end: '2026-12-03T22:00:00Z',
      });
    });

    it('says nothing for an agent whose working hours are not set: nothing is known about them', async () => {
      mockBackend();
      const [ada, dana] = agentCalendars();
      const { u } = open({
        agents: [ada, { ...dana, working_hours: [] }],
        // Years ahead, so that no short notice joins in whatever day the test runs (it failed the evening it
        // named, once that time was less than an hour away).
        prefill: { agentId: 1, start: '2036-12-05T21:00:00Z' },
      });
      expect(notice()).toMatch(/^Outside Ada Admin's working hours/);
      await u.selectOptions(screen.getByTestId('book-agent'), '2');
      expect(notice()).toBeNull();
    });
  });
});
