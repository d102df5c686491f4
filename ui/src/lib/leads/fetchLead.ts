// Loading one lead for a screen: the answer (or the error) is reported only while the screen still wants that
// lead, so a slow answer for a lead the user has left never overwrites the one shown now.
import { backend, toApiError } from '../api';
import type { ApiError, Lead } from '../types';

/** Loads lead `id`; returns the cleanup an `$effect` returns, which silences the answer. */
export function fetchLead(id: number, onlead: (lead: Lead) => void, onerror: (error: ApiError) => void): () => void {
  let cancelled = false;
  backend()
    .getLead(id)
    .then((l) => {
      if (!cancelled) onlead(l);
    })
    .catch((e) => {
      if (!cancelled) onerror(toApiError(e));
    });
  return () => {
    cancelled = true;
  };
}
