import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/svelte';
import { afterEach } from 'vitest';
import { tauriBackend, setBackend } from './lib/api';
import { lastMerge } from './lib/duplicates/lastMerge.svelte';
import { duplicateScan } from './lib/duplicates/scan.svelte';
import { importRuns } from './lib/imports/runs.svelte';
import { importWizard } from './lib/imports/wizard.svelte';
import { leadEvents } from './lib/leads/events.svelte';
import { leadFacets } from './lib/leads/facets.svelte';
import { defaultFilters, leadFilters } from './lib/leads/filters.svelte';
import { nav } from './lib/nav.svelte';
import { approvalDrafts } from './lib/pipeline/approvalDrafts';
import { stageColours } from './lib/pipeline/stageColours.svelte';
import { session } from './lib/session.svelte';
import { sidebar } from './lib/shell/sidebar.svelte';
import { toasts } from './lib/toast.svelte';

// waitFor and findBy give up after 1 s by default: a test run beside a build on a loaded 2-core machine can take
// that long to render what a passing test waits for. A failing test only fails later.
configure({ asyncUtilTimeout: 3000 });

// jsdom has <dialog> but not its modal API: enough of it for Dialog to open and close. (Inertness of the page
// behind and Escape's native `cancel` are the browser's; Dialog also handles both keys itself.)
if (!HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement, returnValue?: string) {
    if (!this.open) return;
    this.open = false;
    if (returnValue !== undefined) this.returnValue = returnValue;
    this.dispatchEvent(new Event('close'));
  };
}

// jsdom has no media queries: width queries are answered for the app's default 1280 × 800 window (a test of
// another width stubs its own), and never change.
if (!globalThis.matchMedia) {
  const DEFAULT_WIDTH = 1280;
  globalThis.matchMedia = (query: string) => {
    const min = /min-width:\s*(\d+)px/.exec(query);
    const max = /max-width:\s*(\d+)px/.exec(query);
    const matches = (!min || DEFAULT_WIDTH >= Number(min[1])) && (!max || DEFAULT_WIDTH <= Number(max[1]));
    return {
      matches,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    } as MediaQueryList;
  };
}

// jsdom lays nothing out, so it has no layout observers; the calendar widget only needs them to exist.
class NoObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
for (const name of ['ResizeObserver', 'IntersectionObserver'] as const) {
  if (!(name in globalThis)) Object.assign(globalThis, { [name]: NoObserver });
}
// Nothing is anywhere on a page never laid out: the widget's pointer tracking finds no element under it.
if (!Document.prototype.elementsFromPoint) Document.prototype.elementsFromPoint = () => [];

// Each test starts from a fresh screen and fresh shared state.
afterEach(() => {
  cleanup();
  leadFilters.f = defaultFilters();
  leadFacets.reset();
  leadEvents.reset();
  session.current = null;
  nav.go({ name: 'leads' });
  toasts.clear();
  duplicateScan.reset();
  lastMerge.reset();
  importWizard.reset();
  importRuns.reset();
  stageColours.reset();
  approvalDrafts.clear();
  sidebar.reset();
  setBackend(tauriBackend);
});

