import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';
import { tauriBackend, setBackend } from './lib/api';
import { leadEvents } from './lib/leads/events.svelte';
import { leadFacets } from './lib/leads/facets.svelte';
import { defaultFilters, leadFilters } from './lib/leads/filters.svelte';
import { nav } from './lib/nav.svelte';
import { session } from './lib/session.svelte';
import { toasts } from './lib/toast.svelte';

// Each test starts from a fresh screen and fresh shared state.
afterEach(() => {
  cleanup();
  leadFilters.f = defaultFilters();
  leadFacets.reset();
  leadEvents.reset();
  session.current = null;
  nav.go({ name: 'leads' });
  toasts.clear();
  setBackend(tauriBackend);
});

