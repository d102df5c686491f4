// Leads changed away from the screen that shows them (e.g. by Undo in a toast): the lead page picks them up.
import type { Lead } from '../types';

class LeadEvents {
  /** Bumped by every announcement. */
  seq = $state(0);
  latest = $state<Lead | null>(null);

  changed(lead: Lead) {
    this.latest = lead;
    this.seq++;
  }

  reset() {
    this.latest = null;
    this.seq = 0;
  }
}

export const leadEvents = new LeadEvents();
