import { describe, expect, it, vi } from 'vitest';
import { agentCalendars, appointment, occurrence } from '../../test/calendarFixtures';
import { apiErr, mockBackend } from '../../test/fixtures';
import { TOAST_MS, toasts } from '../toast.svelte';
import type { Occurrence } from '../types';
import { appointmentEvent } from './events';
import { reschedule, type MoveInfo } from './reschedule';

const BERLIN = 'Europe/Berlin';

/** What the widget hands over after a drag: local Dates whose fields are the wall time it drew. */
function dropped(o: Occurrence, start: Date, end: Date | null, newResource?: { id: string }) {
  const ev = appointmentEvent(o, BERLIN, true);
  const revert = vi.fn<() => void>();
  const info: MoveInfo = { event: { start, end, extendedProps: ev.extendedProps }, newResource, revert };
  return { ...info, revert };
}

describe('reschedule', () => {
  it('moves the appointment to the wall time it was dropped on, in the display zone, with its current version', async () => {
    const be = mockBackend({ appointment: async (id) => appointment({ id, version: 7 }) });
    // Thu 3 Dec 10:00 Berlin dragged to Fri 4 Dec 14:30–15:30 Berlin (13:30Z).
    const info = dropped(occurrence(), new Date(2026, 11, 4, 14, 30), new Date(2026, 11, 4, 15, 30));
    const saved = await reschedule(info, BERLIN);

    expect(be.appointment).toHaveBeenCalledWith(31);
    expect(be.moveAppointment).toHaveBeenCalledWith(31, 7, '2026-12-04T13:30:00Z', '2026-12-04T14:30:00Z');
    expect(be.updateAppointment).not.toHaveBeenCalled();
    expect(info.revert).not.toHaveBeenCalled();
    expect(saved !== 'stale' && saved?.start).toBe('2026-12-04T13:30:00Z');
    expect(toasts.items.at(-1)?.kind).toBe('success');
    expect(toasts.items.at(-1)?.message).toMatch(/^Moved “Demo with Acme” to Dec 4, 2026, 2:30\sPM/);
  });

  it('converts across the DST change: 10:00 in Berlin is 09:00Z before 2026-03-29 and 08:00Z after', async () => {
    const o = occurrence({ start: '2026-03-28T09:00:00Z', end: '2026-03-28T09:30:00Z' });
    const be = mockBackend({ appointment: async (id) => appointment({ id, start: o.start, end: o.end }) });
    await reschedule(dropped(o, new Date(2026, 2, 30, 10, 0), null), BERLIN);
    // No end from a resize-less drop: the duration is kept.
    expect(be.moveAppointment).toHaveBeenCalledWith(31, 4, '2026-03-30T08:00:00Z', '2026-03-30T08:30:00Z');
  });

  it('puts the event back when the meeting was moved since the calendar was drawn, and asks for it again', async () => {
    // The background sync took the organizer's move to 14:00Z meanwhile; the calendar still drew 09:00Z.
    const be = mockBackend({
      appointment: async (id) => appointment({ id, start: '2026-12-03T14:00:00Z', end: '2026-12-03T15:30:00Z' }),
    });
    const info = dropped(occurrence(), new Date(2026, 11, 4, 11, 0), null);
    const saved = await reschedule(info, BERLIN);
    expect(saved).toBe('stale');
    expect(info.revert).toHaveBeenCalledOnce();
    expect(be.moveAppointment).not.toHaveBeenCalled();
    expect(be.updateAppointment).not.toHaveBeenCalled();
    expect(toasts.items.at(-1)?.kind).toBe('error');
    expect(toasts.items.at(-1)?.message).toMatch(/^“Demo with Acme” was moved meanwhile, to Dec 3, 2026, 3:00\sPM/);
  });

  it('puts the event back and shows the clash when the agent is double-booked', async () => {
    const message = 'Ada is already booked then: “Call with Bob” Fri 4 Dec 14:00–15:00 (Europe/Berlin)';
    mockBackend({
      moveAppointment: async () => {
        throw apiErr({ code: 'double_booked', message });
      },
    });
    const info = dropped(occurrence(), new Date(2026, 11, 4, 14, 30), new Date(2026, 11, 4, 15, 30));
    const saved = await reschedule(info, BERLIN);

    expect(saved).toBeNull();
    expect(info.revert).toHaveBeenCalledOnce();
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0].kind).toBe('error');
    expect(toasts.items[0].message).toBe(message);
  });

  it('puts the event back on any other refusal, saying what could not be moved', async () => {
    mockBackend({
      appointment: async () => {
        throw apiErr({ code: 'permission_denied', message: 'you may not change appointments' });
      },
    });
    const info = dropped(occurrence(), new Date(2026, 11, 4, 14, 30), new Date(2026, 11, 4, 15, 30));
    await reschedule(info, BERLIN);
    expect(info.revert).toHaveBeenCalledOnce();
    expect(toasts.items[0].message).toBe('Could not move “Demo with Acme”: You may not change appointments');
  });

  it('says a refusal on a field in the field message’s words, without the API’s field key', async () => {
    mockBackend({
      moveAppointment: async () => {
        throw apiErr({
          code: 'validation',
          message: "agent_id: this appointment is on its agent's calendar server",
          fields: [{ field: 'agent_id', message: "this appointment is on its agent's calendar server" }],
        });
      },
    });
    const info = dropped(occurrence(), new Date(2026, 11, 4, 14, 30), new Date(2026, 11, 4, 15, 30));
    await reschedule(info, BERLIN);
    expect(toasts.items.at(-1)?.message).toBe(
      "Could not move “Demo with Acme”: This appointment is on its agent's calendar server",
    );
  });

  it('gives a dropped event to the agent whose column it landed on in the team view', async () => {
    const be = mockBackend({ appointment: async (id) => appointment({ id, version: 2, agent_id: 1 }) });
    const info = dropped(occurrence(), new Date(2026, 11, 3, 10, 0), new Date(2026, 11, 3, 11, 0), { id: '2' });
    await reschedule(info, BERLIN);
    expect(be.moveAppointment).not.toHaveBeenCalled();
    expect(be.updateAppointment).toHaveBeenCalledOnce();
    const [id, version, input] = be.updateAppointment.mock.calls[0];
    expect([id, version]).toEqual([31, 2]);
    expect(input).toMatchObject({
      agent_id: 2,
      start: '2026-12-03T09:00:00Z',
      end: '2026-12-03T10:00:00Z',
      title: 'Demo with Acme',
    });
    expect(info.revert).not.toHaveBeenCalled();
  });

  it('never saves an occurrence that may not move (repeating, hidden, cancelled) and puts it back', async () => {
    const be = mockBackend();
    for (const o of [
      occurrence({ repeats: true }),
      occurrence({ hidden: true }),
      occurrence({ status: 'cancelled' }),
    ]) {
      const info = dropped(o, new Date(2026, 11, 4, 14, 30), new Date(2026, 11, 4, 15, 30));
      expect(await reschedule(info, BERLIN)).toBeNull();
      expect(info.revert).toHaveBeenCalledOnce();
    }
    expect(be.appointment).not.toHaveBeenCalled();
    expect(be.moveAppointment).not.toHaveBeenCalled();
  });

  it("keeps a move out of the agent's working hours, and says so in its toast", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const be = mockBackend();
      // Thu 3 Dec 10:00 Berlin dragged to 22:00–23:00; Ada works Mon–Fri 9:00–17:00 in Berlin.
      const info = dropped(occurrence(), new Date(2026, 11, 3, 22, 0), new Date(2026, 11, 3, 23, 0));
      const saved = await reschedule(info, BERLIN, agentCalendars());

      expect(be.moveAppointment).toHaveBeenCalledWith(31, 4, '2026-12-03T21:00:00Z', '2026-12-03T22:00:00Z');
      expect(info.revert).not.toHaveBeenCalled();
      expect(saved !== 'stale' && saved?.start).toBe('2026-12-03T21:00:00Z');
      expect(toasts.items).toHaveLength(1);
      expect(toasts.items[0].kind).toBe('success');
      expect(toasts.items[0].message.replace(/\s/g, ' ')).toBe(
        'Moved “Demo with Acme” to Dec 3, 2026, 10:00 PM. ' +
          "Outside Ada Admin's working hours (Mon–Fri 9:00 AM – 5:00 PM, Europe/Berlin).",
      );
      // Up longer than a plain "Moved": there is more to read.
      vi.advanceTimersByTime(TOAST_MS.success + 100);
      expect(toasts.items).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says so of the agent a move hands the meeting to, in that agent's zone", async () => {
    mockBackend({
      updateAppointment: async (id, version, input) =>
        appointment({ ...input, id, version: version + 1, agent_id: 2, agent_name: 'Dana Editor' }),
    });
    // Dropped in Dana's column at 10:00 Berlin: 4:00 AM in New York.
    const info = dropped(occurrence(), new Date(2026, 11, 3, 10, 0), new Date(2026, 11, 3, 11, 0), { id: '2' });
    await reschedule(info, BERLIN, agentCalendars());
    expect(toasts.items.at(-1)?.message.replace(/\s/g, ' ')).toBe(
      'Moved “Demo with Acme” to Dec 3, 2026, 10:00 AM with Dana Editor. ' +
        "Outside Dana Editor's working hours (Mon–Fri 9:00 AM – 5:00 PM, America/New_York). " +
        'That is Dec 3, 2026, 4:00 AM – 5:00 AM for them.',
    );
  });
});
