import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { apiErr, deferred } from '../../test/fixtures';
import { Loaded } from './loaded.svelte';

/** Lets the promise callbacks of answers given so far run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Loaded', () => {
  it('starts loading with its initial value, then holds the answer', async () => {
    const list = new Loaded<string[]>([]);
    expect([list.value, list.loading, list.error]).toEqual([[], true, null]);
    const answer = deferred<string[]>();
    list.load(() => answer.promise);
    answer.resolve(['a', 'b']);
    await settle();
    expect([list.value, list.loading, list.error]).toEqual([['a', 'b'], false, null]);
  });

  it('reports a failure as its message, and clears it at the next load', async () => {
    const list = new Loaded<string[]>(['kept']);
    list.load(() => Promise.reject(apiErr({ code: 'not_found', message: 'lead 7 was not found' })));
    await settle();
    expect([list.value, list.loading, list.error]).toEqual([['kept'], false, 'lead 7 was not found']);
    const answer = deferred<string[]>();
    list.load(() => answer.promise);
    expect(list.error).toBeNull();
    answer.resolve(['new']);
    await settle();
    expect([list.value, list.error]).toEqual([['new'], null]);
  });

  it('drops the answer, or the failure, of a request its cleanup has made stale', async () => {
    const list = new Loaded<string[]>([]);
    const old = deferred<string[]>();
    const failing = deferred<string[]>();
    const current = deferred<string[]>();
    list.load(() => old.promise)();
    list.load(() => failing.promise)();
    list.load(() => current.promise);
    current.resolve(['current']);
    await settle();
    old.resolve(['old']);
    failing.reject(new Error('too late'));
    await settle();
    expect([list.value, list.loading, list.error]).toEqual([['current'], false, null]);
  });

  it('stays loading until an answer that is not stale lands', async () => {
    const list = new Loaded<string[]>([]);
    const old = deferred<string[]>();
    const current = deferred<string[]>();
    list.load(() => old.promise)();
    list.load(() => current.promise);
    old.resolve(['old']);
    await settle();
    expect([list.value, list.loading]).toEqual([[], true]);
    current.resolve(['current']);
    await settle();
    expect([list.value, list.loading]).toEqual([['current'], false]);
  });

  it('shows loading again at a reload only when asked to', async () => {
    const quiet = new Loaded<string[]>([]);
    const marked = new Loaded<string[]>([], { loadingOnReload: true });
    for (const l of [quiet, marked]) {
      l.load(() => Promise.resolve(['first']));
      await settle();
      l.load(() => new Promise<string[]>(() => {}));
    }
    expect([quiet.value, quiet.loading]).toEqual([['first'], false]);
    expect([marked.value, marked.loading]).toEqual([['first'], true]);
  });

  it('in an $effect, reloads when what the fetch reads changes and keeps only the latest answer', async () => {
    let id = $state(1);
    const answers = new Map([1, 2].map((n) => [n, deferred<string>()]));
    const asked: number[] = [];
    const name = new Loaded('');
    const stop = $effect.root(() => {
      $effect(() =>
        name.load(() => {
          asked.push(id);
          return answers.get(id)!.promise;
        }),
      );
    });
    flushSync();
    id = 2;
    flushSync();
    expect(asked).toEqual([1, 2]);
    answers.get(2)!.resolve('lead 2');
    await settle();
    answers.get(1)!.resolve('lead 1');
    await settle();
    expect(name.value).toBe('lead 2');
    // Its own state, written by the load, does not run the effect again.
    expect(asked).toEqual([1, 2]);
    stop();
  });
});
