// The settings editors that read one setting, let it be edited whole and save it in one call all live the same
// way: a read that can fail and be tried again, one save at a time, the backend's refusal shown above the form.
// That life is kept here so each editor holds only what is its own: its rows, its checks, its words.
import { errorMessage, toApiError } from '../api';
import { fieldLabel, sentence } from '../format';
import { toasts } from '../toast.svelte';

/** A refusal as the one line shown above a form: the fields it names, or else the backend's own message. */
export function refusalText(err: unknown): string {
  const api = toApiError(err);
  return api.fields.length
    ? api.fields.map((f) => `${fieldLabel(f.field)}: ${f.message}`).join('; ')
    : sentence(api.message);
}

export class SettingForm<T> {
  /** The setting as the backend last answered it (null until read): what the editor's changes are measured from. */
  saved = $state.raw<T | null>(null);
  loadError = $state<string | null>(null);
  formError = $state<string | null>(null);
  saving = $state(false);
  /** The save under way, which a move elsewhere waits for rather than call the changes unsaved (null: none). */
  pending = $state.raw<Promise<void> | null>(null);
  private readonly read: () => Promise<T>;
  private readonly show: (value: T) => void;

  /**
   * `show` copies every answer, read or saved, into the editor's own fields: after a save the form shows what
   * the backend kept (sorted, numbered), not what was typed.
   */
  constructor(read: () => Promise<T>, show: (value: T) => void) {
    this.read = read;
    this.show = show;
  }

  // An arrow, so it can be handed as it is to onMount and to the Try again button.
  load = async (): Promise<void> => {
    this.loadError = null;
    try {
      this.#answer(await this.read());
    } catch (e) {
      this.loadError = errorMessage(e);
    }
  };

  /**
   * Saves what `write` sends, then says `done` in a toast. `valid` runs the editor's own checks once the last
   * refusal is cleared; false stops the save (the editor shows why). A second submit while one save is under
   * way is ignored, so the same change is never sent twice.
   */
  async save(write: () => Promise<T>, done: string, valid: () => boolean = () => true): Promise<void> {
    if (this.saving || this.saved === null) return;
    this.formError = null;
    if (!valid()) return;
    this.saving = true;
    let settle = () => {};
    this.pending = new Promise<void>((done) => (settle = done));
    try {
      this.#answer(await write());
      toasts.success(done);
    } catch (err) {
      if (toApiError(err).code === 'conflict') {
        // Another Administrator saved since this was read: what they saved becomes what this edit is measured
        // from (the next save is not refused again for the same reason), and the edit stays on screen.
        try {
          this.saved = await this.read();
          this.formError =
            'Another Administrator saved this since you opened it. Your changes are still here: Save again to put them in place of theirs, or leave this page to keep theirs.';
        } catch {
          this.formError = refusalText(err);
        }
      } else {
        this.formError = refusalText(err);
      }
    } finally {
      this.saving = false;
      this.pending = null;
      settle();
    }
  }

  #answer(value: T) {
    this.saved = value;
    this.show(value);
  }
}
