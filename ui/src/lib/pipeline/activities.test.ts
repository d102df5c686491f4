import { describe, expect, it } from 'vitest';
import { activity } from '../../test/fixtures';
import {
  activityLabel,
  durationText,
  emptyActivityDraft,
  isOverdue,
  splitGateErrors,
  timelineOrder,
  remindText,
  toNewActivity,
} from './activities';

describe('activities', () => {
  it('calls a proposal what the stage gate asks for', () => {
    expect(activityLabel('proposal')).toBe('Proposal sent');
    expect(activityLabel('meeting')).toBe('Meeting');
  });

  it('lists open tasks first, soonest due first, then everything else newest first', () => {
    const list = [
      activity({ id: 1, kind: 'call', done_at: '2026-11-01T09:00:00Z' }),
      activity({ id: 2, kind: 'task', done_at: null, due_at: '2026-12-05T09:00:00Z' }),
      activity({ id: 3, kind: 'email', done_at: '2026-11-20T09:00:00Z' }),
      activity({ id: 4, kind: 'task', done_at: null, due_at: null }),
      activity({ id: 5, kind: 'task', done_at: null, due_at: '2026-11-30T09:00:00Z' }),
      // A task done recently counts from when it was done, not when it was written down.
      activity({ id: 6, kind: 'task', created_at: '2026-10-01T09:00:00Z', done_at: '2026-11-25T09:00:00Z' }),
    ];
    expect(timelineOrder(list).map((a) => a.id)).toEqual([5, 2, 4, 6, 3, 1]);
  });

  it('finds an open task overdue once its due time has passed, and a done one never', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(isOverdue(activity({ kind: 'task', done_at: null, due_at: '2026-12-01T11:59:00Z' }), now)).toBe(true);
    expect(isOverdue(activity({ kind: 'task', done_at: null, due_at: '2026-12-01T12:01:00Z' }), now)).toBe(false);
    expect(isOverdue(activity({ kind: 'task', done_at: null, due_at: null }), now)).toBe(false);
    expect(isOverdue(activity({ kind: 'task', done_at: now.toISOString(), due_at: '2026-11-01T00:00:00Z' }), now)).toBe(
      false,
    );
  });

  it('sends only what fits the kind: a due time for a task, minutes for a call', () => {
    const call = { ...emptyActivityDraft('call'), subject: ' Intro ', outcome: 'Keen', duration: 20, due: '2026-12-01T09:30' };
    expect(toNewActivity(call)).toEqual({
      kind: 'call',
      subject: 'Intro',
      body: '',
      outcome: 'Keen',
      duration_minutes: 20,
      due_at: null,
      remind_at: null,
      done_at: null,
      appointment_id: null,
    });
    const task = { ...call, kind: 'task' as const };
    expect(toNewActivity(task)).toMatchObject({
      kind: 'task',
      outcome: '',
      duration_minutes: null,
      // The local time typed, as the UTC instant the backend stores.
      due_at: new Date(2026, 11, 1, 9, 30).toISOString(),
    });
    expect(toNewActivity({ ...task, due: '' }).due_at).toBeNull();
    // A task with a due time reminds its author then, or as long before as chosen; without one, never.
    expect(toNewActivity(task).remind_at).toBe(new Date(2026, 11, 1, 9, 30).toISOString());
    expect(toNewActivity({ ...task, remind: 60 }).remind_at).toBe(new Date(2026, 11, 1, 8, 30).toISOString());
    expect(toNewActivity({ ...task, remind: 1440 }).remind_at).toBe(new Date(2026, 10, 30, 9, 30).toISOString());
    expect(toNewActivity({ ...task, remind: 'none' }).remind_at).toBeNull();
    expect(toNewActivity({ ...task, due: '' }).remind_at).toBeNull();
    expect(toNewActivity({ ...call, kind: 'proposal' }).duration_minutes).toBeNull();
  });

  it('dates what happened as typed (a call made yesterday), now when nothing is typed, and never an open task', () => {
    const call = { ...emptyActivityDraft('call'), subject: 'Intro', when: '2026-12-01T16:45' };
    expect(toNewActivity(call).done_at).toBe(new Date(2026, 11, 1, 16, 45).toISOString());
    expect(toNewActivity({ ...call, when: '' }).done_at).toBeNull();
    expect(toNewActivity({ ...call, kind: 'task' }).done_at).toBeNull();
  });

  it('says how a reminder stands to its due time', () => {
    const due = '2026-12-01T09:30:00.000Z';
    expect(remindText(due, due)).toBe('reminder at the due time');
    expect(remindText(due, '2026-12-01T08:30:00.000Z')).toBe('reminder 1 hour before');
    expect(remindText(due, '2026-11-30T09:30:00.000Z')).toBe('reminder 1 day before');
    expect(remindText(due, '2026-12-01T09:00:00.000Z')).toBe('reminder 30 min before');
  });

  it('says a length in minutes and hours', () => {
    expect([5, 60, 90, 125].map(durationText)).toEqual(['5 min', '1 h', '1 h 30 min', '2 h 5 min']);
  });

  it('splits a stage gate refusal into fields to fill and activities to log', () => {
    const { fields, activities } = splitGateErrors([
      { field: 'deal_value', message: 'is needed' },
      { field: 'activity.proposal', message: 'is needed' },
      { field: 'activity.meeting', message: 'is needed' },
      { field: 'activity.proposal', message: 'again' },
      { field: 'activity.unknown', message: 'a kind this UI does not know' },
    ]);
    expect(fields).toEqual([{ field: 'deal_value', message: 'is needed' }]);
    expect(activities).toEqual(['proposal', 'meeting']);
  });
});
