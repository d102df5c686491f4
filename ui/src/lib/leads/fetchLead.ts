// Loading one lead for a screen: the answer (or the error) is reported only while the screen still wants that
// lead, so a slow answer for a lead the user has left never overwrites the one shown now.
import { backend, errorMessage } from '../api';
import type { Lead } from '../types';

/** Loads lead `id`; returns the cleanup an `$effect` returns, which silences the answer. */
export function fetchLead(id: number, onlead: (lead: Lead) => void, onerror: (message: string) => void): () => void {
  let cancelled = false;
  backend()
    .getLead(id)
    .then((l) => {
      if (!cancelled) onlead(l);
    })
    .catch((e) => {
      if (!cancelled) onerror(errorMessage(e));
    });
  return () => {
    cancelled = true;
  };
}
