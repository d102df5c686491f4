// What a drag or a resize in the calendar does. Kept out of the component: the widget's dragging cannot be
// simulated in jsdom, this can.
import { backend, toApiError } from '../api';
import { sentence } from '../format';
import { TOAST_MS, toasts } from '../toast.svelte';
import { inputOf } from './booking';
import type { EventMeta } from './events';
import { formatWhen } from './labels';
import type { AgentCalendar, Appointment } from '../types';
import { outsideHoursNotice, shortNoticeNotice } from './workingHours';
import { addMinutes, wallOfLocalDate, zonedToUtc } from './zone';

/** The part of event-calendar's `eventDrop` / `eventResize` argument this needs. */
export interface MoveInfo {
  event: { start: Date; end: Date | null; extendedProps: unknown };
  /** Team view: the agent column the event was dropped on, when it changed. */
  newResource?: { id: string | number } | null;
  revert: () => void;
}

/** What `reschedule` answers when the view was older than the meeting: the caller reads the calendar again. */
export const STALE = 'stale' as const;

/**
 * Saves where the event now is (`zone` is the zone the calendar draws in). Anything refused — another
 * appointment in the way (`double_booked`, whose message names it), a stale version, no permission — puts the
 * event back where it was and says why. Returns the saved appointment, `STALE` when the view was older than the
 * meeting (put back: the calendar is to be read again), or null when nothing changed. A move
 * out of the agent's working hours (`agents`: the calendars shown, with their hours) is kept, and said.
 */
export async function reschedule(
  info: MoveInfo,
  zone: string,
  agents: readonly AgentCalendar[] = [],
): Promise<Appointment | typeof STALE | null> {
  const meta = info.event.extendedProps as EventMeta;
  if (meta?.kind !== 'appointment' || !meta.movable) {
    info.revert();
    return null;
  }
  const o = meta.occurrence;
  const start = zonedToUtc(wallOfLocalDate(info.event.start), zone);
  const minutes = (Date.parse(o.end) - Date.parse(o.start)) / 60_000;
  const end = info.event.end ? zonedToUtc(wallOfLocalDate(info.event.end), zone) : addMinutes(start, minutes);
  try {
    // Occurrences carry no version: the appointment's current one is read just before the change.
    const current = await backend().appointment(o.appointment_id);
    // Drawn from a view older than the meeting (the background sync took the organizer's move meanwhile): the
    // drop was aimed at a time it no longer has, and its length is the old one. Put back, and said.
    if (Date.parse(current.start) !== Date.parse(o.start) || Date.parse(current.end) !== Date.parse(o.end)) {
      info.revert();
      toasts.error(
        `“${o.summary}” was moved meanwhile, to ${formatWhen(current.start, zone)}: it is shown again as it is now; move it from there.`,
      );
      return STALE;
    }
    const agentId = info.newResource ? Number(info.newResource.id) : current.agent_id;
    const saved =
      agentId !== current.agent_id
        ? await backend().updateAppointment(current.id, current.version, {
            ...inputOf(current),
            agent_id: agentId,
            start,
            end,
          })
        : await backend().moveAppointment(current.id, current.version, start, end);
    const who = agentId !== current.agent_id ? ` with ${saved.agent_name}` : '';
    const moved = `Moved “${saved.title}” to ${formatWhen(saved.start, zone)}${who}`;
    const cal = agents.find((a) => a.user_id === saved.agent_id);
    const outside = cal && !saved.all_day
      ? [outsideHoursNotice(cal, saved.start, saved.end, zone), shortNoticeNotice(cal, saved.start)].filter(Boolean).join(' ') || null
      : null;
    // Longer up when there is more to read.
    if (outside) toasts.success(`${moved}. ${outside}`, { ms: TOAST_MS.error });
    else toasts.success(moved);
    return saved;
  } catch (e) {
    info.revert();
    const api = toApiError(e);
    // A refusal on a field says it in its field's words ("agent_id: ..." is the API's form of it).
    const why = api.code === 'validation' && api.fields.length > 0 ? api.fields[0].message : api.message;
    // A clash's message already says everything: who, what, when.
    toasts.error(api.code === 'double_booked' ? sentence(why) : `Could not move “${o.summary}”: ${sentence(why)}`);
    return null;
  }
}
