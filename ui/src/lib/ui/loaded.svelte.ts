// A value a component reads for what it shows now (e.g. one lead's activities). The lead can change, or a
// refresh be asked for, before an answer comes: only the latest request's answer may land, so a slow answer
// for a lead the user has left never overwrites the one shown now.
import { errorMessage } from '../api';

export interface LoadedOptions {
  /** `loading` turns true again at every load, not only until the first answer. */
  loadingOnReload?: boolean;
}

export class Loaded<T> {
  value: T;
  loading = $state(true);
  error = $state<string | null>(null);
  private readonly loadingOnReload: boolean;

  constructor(initial: T, { loadingOnReload = false }: LoadedOptions = {}) {
    // Raw: answers are replaced whole, never changed in place, so they need no deep proxies.
    this.value = $state.raw(initial);
    this.loadingOnReload = loadingOnReload;
  }

  /**
   * Starts `fetch` and returns the cleanup for the `$effect` that calls it, which drops this request's answer
   * once the effect runs again or the component goes. `fetch` runs at once, so the effect tracks what it reads.
   * The value shown so far stays until the new one arrives.
   */
  load(fetch: () => Promise<T>): () => void {
    let stale = false;
    if (this.loadingOnReload) this.loading = true;
    this.error = null;
    fetch()
      .then((v) => {
        if (!stale) this.value = v;
      })
      .catch((e) => {
        if (!stale) this.error = errorMessage(e);
      })
      .finally(() => {
        if (!stale) this.loading = false;
      });
    return () => {
      stale = true;
    };
  }
}
