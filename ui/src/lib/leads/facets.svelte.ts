// Campaigns and tags in use, offered as suggestions in the list filters and the lead form. Suggestions only:
// every such field still accepts free text, so a failed load just leaves them empty.
import { backend } from '../api';

class FacetStore {
  campaigns = $state<string[]>([]);
  tags = $state<string[]>([]);
  private loaded = false;
  private seq = 0;

  /** Fetches the current values (the list does this when it mounts, the form after a save). */
  async refresh(): Promise<void> {
    const mine = ++this.seq;
    try {
      const f = await backend().leadFacets();
      if (mine !== this.seq) return;
      this.campaigns = f.campaigns;
      this.tags = f.tags;
      this.loaded = true;
    } catch {
      // Suggestions are a convenience; the fields work without them.
    }
  }

  /** Fetches the values unless they were loaded already. */
  ensure(): Promise<void> {
    return this.loaded ? Promise.resolve() : this.refresh();
  }

  reset() {
    this.seq++;
    this.campaigns = [];
    this.tags = [];
    this.loaded = false;
  }
}

export const leadFacets = new FacetStore();
