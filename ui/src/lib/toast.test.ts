import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nav } from './nav.svelte';
import { MAX_TOASTS, TOAST_MS, TOAST_PAGE_GRACE_MS, toasts } from './toast.svelte';

const messages = () => toasts.items.map((t) => t.message);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('toasts', () => {
  it('keep success for about 4 s, errors for about 8 s and toasts with an action for about 10 s', () => {
    toasts.success('saved');
    toasts.error('failed');
    toasts.success('undoable', { action: { label: 'Undo', run: () => {} } });

    vi.advanceTimersByTime(3900);
    expect(messages()).toEqual(['saved', 'failed', 'undoable']);
    vi.advanceTimersByTime(200);
    expect(messages()).toEqual(['failed', 'undoable']);
    vi.advanceTimersByTime(3800);
    expect(messages()).toEqual(['failed', 'undoable']);
    vi.advanceTimersByTime(200);
    expect(messages()).toEqual(['undoable']);
    vi.advanceTimersByTime(1700); // 9.8 s
    expect(messages()).toEqual(['undoable']);
    vi.advanceTimersByTime(400);
    expect(messages()).toEqual([]);
  });

  it('stays while the pointer or the focus is on it, and a little after', () => {
    const id = toasts.success('undoable', { action: { label: 'Undo', run: () => {} } });
    vi.advanceTimersByTime(9000);
    toasts.hold(id);
    vi.advanceTimersByTime(60_000);
    expect(messages()).toEqual(['undoable']);
    toasts.release(id);
    // 1 s was left; it stays at least 2 s once let go.
    vi.advanceTimersByTime(1900);
    expect(messages()).toEqual(['undoable']);
    vi.advanceTimersByTime(200);
    expect(messages()).toEqual([]);
    // A toast that keeps until dismissed is not given a timer by a hold.
    const kept = toasts.info('until dismissed', { ms: 0 });
    toasts.hold(kept);
    toasts.release(kept);
    vi.advanceTimersByTime(60_000);
    expect(messages()).toEqual(['until dismissed']);
    toasts.clear();
  });

  it(`shows at most ${MAX_TOASTS} at once, dropping the oldest`, () => {
    for (const m of ['one', 'two', 'three', 'four', 'five']) toasts.error(m);
    expect(messages()).toEqual(['three', 'four', 'five']);
    // The dropped toasts' timers do not take newer toasts with them.
    toasts.dismiss(toasts.items[0].id);
    expect(messages()).toEqual(['four', 'five']);
    vi.advanceTimersByTime(8100);
    expect(messages()).toEqual([]);
  });

  it('drops a plain toast before an older error or one with an Undo', () => {
    toasts.error('could not save');
    toasts.success('merged', { action: { label: 'Undo', run: () => {} } });
    toasts.success('saved');
    toasts.success('copied');
    expect(messages()).toEqual(['could not save', 'merged', 'copied']);
    toasts.success('exported');
    expect(messages()).toEqual(['could not save', 'merged', 'exported']);
  });

  it('runs an action once and dismisses its toast', () => {
    const run = vi.fn();
    const id = toasts.success('saved', { action: { label: 'Undo', run } });
    toasts.act(id);
    toasts.act(id);
    expect(run).toHaveBeenCalledOnce();
    expect(messages()).toEqual([]);
  });
});

describe('toasts and pages', () => {
  const undo = { label: 'Undo', undo: true, run: () => {} };

  it('go when the user goes to another page, but an Undo still in its window stays', () => {
    nav.go({ name: 'leads' });
    toasts.error('could not load the leads');
    toasts.success('saved', { action: { label: 'Copy path', run: () => {} } });
    toasts.success('merged', { action: undo });
    vi.advanceTimersByTime(TOAST_PAGE_GRACE_MS);

    nav.go({ name: 'board' });
    expect(messages()).toEqual(['merged']);
    // Its window is not lengthened: it closes as it would have on the page it was raised on.
    vi.advanceTimersByTime(TOAST_MS.action - TOAST_PAGE_GRACE_MS - 100);
    nav.go({ name: 'calendar' });
    expect(messages()).toEqual(['merged']);
    vi.advanceTimersByTime(200);
    expect(messages()).toEqual([]);
  });

  it('stay while the page stays, and another lead is another page', () => {
    nav.go({ name: 'lead', id: 5 });
    toasts.info('copied');
    vi.advanceTimersByTime(TOAST_PAGE_GRACE_MS);
    nav.go({ name: 'lead', id: 5 });
    expect(messages()).toEqual(['copied']);
    nav.go({ name: 'lead', id: 6 });
    expect(messages()).toEqual([]);
  });

  it('go along with the move that raised them: "Lead created" stays as the new lead opens', () => {
    nav.go({ name: 'new-lead' });
    toasts.error('could not check for duplicates');
    vi.advanceTimersByTime(TOAST_PAGE_GRACE_MS);
    toasts.success('Lead created');
    nav.go({ name: 'lead', id: 5 });
    expect(messages()).toEqual(['Lead created']);
    // It belongs to the lead's page now: leaving that takes it.
    vi.advanceTimersByTime(TOAST_PAGE_GRACE_MS);
    nav.go({ name: 'leads' });
    expect(messages()).toEqual([]);
  });

  it('stay while a form with unsaved changes holds the page, and go once the user leaves', () => {
    nav.go({ name: 'edit-lead', id: 5 });
    const asked: (() => void)[] = [];
    const release = nav.guard(
      (proceed) => {
        asked.push(proceed);
        return true;
      },
      () => true,
    );
    toasts.error('could not save');
    vi.advanceTimersByTime(TOAST_PAGE_GRACE_MS);
    nav.go({ name: 'board' });
    expect(nav.view.name).toBe('edit-lead');
    expect(messages()).toEqual(['could not save']);
    asked[0]();
    expect(nav.view.name).toBe('board');
    expect(messages()).toEqual([]);
    release();
  });
});
