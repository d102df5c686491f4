// The import wizard's state, shared by the app: files chosen, the mapping, the check and the run live here, not
// in the page, so that leaving the Import page mid-way (or mid-run) loses nothing.
// (No import of format.ts or the field table here: the test setup loads this store; see plan.ts.)
import { apiError, backend, errorMessage, toApiError } from '../api';
import { formatCount, joinList, plural } from '../format';
import { leadFacets } from '../leads/facets.svelte';
import { nav } from '../nav.svelte';
import { toasts } from '../toast.svelte';
import type {
  ColumnMapping,
  DryRunReport,
  FilePreview,
  ImportBatch,
  ImportTemplate,
  OutcomeCounts,
  RunProgress,
  UndoReport,
} from '../types';
import {
  addCounts,
  applyTemplate,
  defaultPlanOptions,
  emptyCounts,
  groupByHeaders,
  isImportable,
  mappingProblems,
  normalizeHeader,
  planFor,
  suggestedMapping,
  type PlanOptions,
} from './plan';
import { importRuns, type RunItem, type RunOutcome } from './runs.svelte';

/** A message set inside another sentence. */
function decapital(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export type WizardStep = 'files' | 'mapping' | 'dryrun' | 'running' | 'report';

export interface StagedFile {
  /** Tells files apart in this wizard (two files may share a name). */
  key: number;
  name: string;
  size: number;
  state: 'staging' | 'ready' | 'failed';
  preview: FilePreview | null;
  error: string | null;
  /** Another sheet is being read. */
  switching: boolean;
}

/** The dry run of one file of the group. */
export interface FileCheck {
  key: number;
  fileName: string;
  report: DryRunReport | null;
  error: string | null;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * "3 rows read, 2 created, 1 rejected": a row read is not a row imported (it may be rejected or change nothing),
 * so the rows read are named as such beside what became of them. (Not in labels.ts, which loads the field table:
 * see the note at the top.)
 */
export function rowsText(rowsRead: number, c: OutcomeCounts): string {
  const outcomes: [number, string][] = [
    [c.create_active + c.create_draft, 'created'],
    [c.update, 'updated'],
    [c.enrich, 'enriched'],
    [c.review, 'to review'],
    [c.unchanged, 'unchanged'],
    [c.reject, 'rejected'],
  ];
  const parts = outcomes.filter(([n]) => n > 0).map(([n, what]) => `${formatCount(n)} ${what}`);
  return [`${plural(rowsRead, 'row')} read`, ...parts].join(', ');
}

class ImportWizard {
  step = $state<WizardStep>('files');
  files = $state<StagedFile[]>([]);
  /** Files that were chosen but not taken, and why. */
  notices = $state<string[]>([]);
  /** The files by group of the same columns (keys), fixed when leaving the Files step; each is done in turn. */
  groups = $state<number[][]>([]);
  /** The files (their sheets and columns) the mapping in hand was made for. */
  private mappedFor = '';
  group = $state(0);
  mapping = $state<ColumnMapping[]>([]);
  options = $state<PlanOptions>(defaultPlanOptions());
  /**
   * The template last applied or saved and the column targets it set: the import is recorded as made with it
   * (`options.template`) only while the mapping is still that. Its name stays the save dialog's suggestion.
   */
  templateBase = $state.raw<{ name: string; targets: string[] } | null>(null);
  checks = $state.raw<FileCheck[]>([]);
  /** The plans the checks were made with: the run imports exactly these, whatever changed since. */
  private checkedPlans: (RunItem & { key: number })[] = [];
  /** What the last run was given, in the order of its outcomes: a file a cancel kept from its turn is imported
   * later with the plan it was checked with. */
  private ranItems: RunItem[] = [];
  checking = $state(false);
  /** The file being checked and how far its check has come (null before its first report). */
  checkingFile = $state<string | null>(null);
  checkProgress = $state.raw<RunProgress | null>(null);
  /** Cancel was asked for while checking: the check stops at its next rehearsal, the files after it are left. */
  checkCancelling = $state(false);
  /** The staged file whose check runs, for its cancel. */
  private checkingId: string | null = null;
  /** A cancel the backend had nothing running for yet: sent again at the check's next report. */
  private checkCancelAgain = false;
  /** Each check's number: reports and cancels of a check no longer running are dropped. */
  private checkRun = 0;
  /** Resolves when the check under way ends. */
  private checkEnded: Promise<void> = Promise.resolve();
  /** The last check was stopped (said on the mapping step until the next one). */
  checkStopped = $state(false);
  /** How the files of the group went (the Report step). */
  outcomes = $state<RunOutcome[]>([]);
  /** Why the step could not go on (a check or a run refused as a whole). */
  error = $state<string | null>(null);
  /** The country each file's phone numbers show (by file key) under the mapping in hand, once its phone, email
   * or country columns are not the suggested ones: the preview's was read with the suggestion. */
  private regions = $state<Record<number, string | null>>({});
  /** The phone, email and country columns `regions` was read for. */
  private regionsFor = '';
  /** The reading of `regions` under way: a check waits for it, so that it sends what the step shows. */
  private regionWork: Promise<void> = Promise.resolve();

  private nextKey = 0;
  /** Bumped by a reset: answers for the wizard before it are dropped. */
  private seq = 0;

  find(key: number): StagedFile | undefined {
    return this.files.find((f) => f.key === key);
  }

  get ready(): StagedFile[] {
    return this.files.filter((f) => f.state === 'ready' && f.preview);
  }

  get failed(): StagedFile[] {
    return this.files.filter((f) => f.state === 'failed');
  }

  /** A file is still being read (staged, or read again for another sheet). */
  get busy(): boolean {
    return this.files.some((f) => f.state === 'staging' || f.switching);
  }

  /** The files of group `i` (the current one by default). */
  groupFiles(i = this.group): StagedFile[] {
    return (this.groups[i] ?? []).map((k) => this.find(k)).filter((f): f is StagedFile => !!f && !!f.preview);
  }

  /** The file whose headers and samples the mapping shows: the group's first. */
  get lead(): FilePreview | null {
    return this.groupFiles()[0]?.preview ?? null;
  }

  /** The country of the numbers of file `f` as the mapping in hand reads them (null: the default region). */
  detectedRegion(f: StagedFile | undefined = this.groupFiles()[0]): string | null {
    if (!f?.preview) return null;
    return f.key in this.regions ? this.regions[f.key] : (f.preview.phone_region ?? null);
  }

  /** The columns that tell the country of the numbers: those mapped to a phone, an email or the country. */
  private regionColumns(mapping: readonly ColumnMapping[]): string {
    const telling = ['phone', 'other_phones', 'email', 'other_emails', 'country'];
    return JSON.stringify(mapping.flatMap((m, i) => (telling.includes(m.target) ? [[i, m.target]] : [])));
  }

  /** Asks the core again which country the numbers show, when the mapping moved a column that tells it. */
  private rereadRegions() {
    const lead = this.lead;
    if (!lead) return;
    const columns = this.regionColumns(this.mapping);
    if (columns === this.regionsFor) return;
    this.regionsFor = columns;
    if (columns === this.regionColumns(suggestedMapping(lead))) {
      this.regions = {};
      return;
    }
    const mine = this.seq;
    const mapping = this.mapping.map((m) => ({ ...m }));
    const files = this.groupFiles().map((f) => ({ key: f.key, preview: f.preview! }));
    const work = async () => {
      const found: Record<number, string | null> = {};
      for (const { key, preview } of files) {
        try {
          const plan = planFor(preview, mapping, this.options);
          found[key] = await backend().importPhoneRegion(preview.file_id, plan.sheet, plan.mapping);
        } catch {
          // Not told: the file keeps the country its preview found, which the user sees and may change.
        }
      }
      if (mine === this.seq && this.regionsFor === columns) this.regions = found;
    };
    this.regionWork = this.regionWork.then(work);
  }

  get problems(): string[] {
    return mappingProblems(this.mapping, this.options.key);
  }

  /** Totals of the group's dry runs. */
  get checked() {
    let counts = emptyCounts();
    let rows = 0;
    for (const c of this.checks) {
      if (!c.report) continue;
      counts = addCounts(counts, c.report.counts);
      rows += c.report.rows;
    }
    // The run goes through every row not rejected (and records them), but only these write to the leads.
    const writes = counts.create_active + counts.create_draft + counts.update + counts.enrich + counts.review;
    return { counts, rows, toImport: rows - counts.reject, writes };
  }

  /** Stages each importable file chosen; the others are named in `notices`. */
  async add(list: Iterable<File>): Promise<void> {
    if (this.step !== 'files') return;
    const notices: string[] = [];
    const taken: { file: File; key: number }[] = [];
    for (const file of list) {
      if (!isImportable(file.name)) {
        notices.push(`“${file.name}” is not a spreadsheet the import reads (CSV, TSV, TXT, XLSX, XLS or ODS, or a ZIP holding one).`);
      } else if (this.files.some((f) => f.name === file.name && f.size === file.size && f.state !== 'failed')) {
        notices.push(`“${file.name}” is in the list already.`);
      } else {
        const key = ++this.nextKey;
        this.files.push({ key, name: file.name, size: file.size, state: 'staging', preview: null, error: null, switching: false });
        taken.push({ file, key });
      }
    }
    this.notices = notices;
    // One after the other: a few large files are not all read into memory at once.
    for (const { file, key } of taken) await this.stage(file, key);
  }

  private async stage(file: File, key: number) {
    const mine = this.seq;
    let preview: FilePreview | null = null;
    let error: string | null = null;
    try {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (e) {
        throw new Error(`could not read the file (${errorMessage(e)}); choose it again`);
      }
      preview = await backend().importStageFile(file.name, bytes);
    } catch (e) {
      error = capital(errorMessage(e));
    }
    const f = this.find(key);
    if (mine !== this.seq || !f) return;
    f.preview = preview;
    f.error = error;
    f.state = preview ? 'ready' : 'failed';
    // A file chosen again after it failed (fixed, say) stands for the one before: the report would else still
    // name it as not imported.
    if (preview) this.files = this.files.filter((x) => x.key === key || x.state !== 'failed' || x.name !== f.name);
  }

  remove(key: number) {
    if (this.step !== 'files') return;
    this.files = this.files.filter((f) => f.key !== key);
  }

  /** Reads an Excel file again with another sheet. */
  async switchSheet(key: number, sheet: string): Promise<void> {
    const f = this.find(key);
    if (!f?.preview || f.switching || f.preview.sheet === sheet) return;
    const mine = this.seq;
    f.switching = true;
    try {
      const preview = await backend().importPreview(f.preview.file_id, sheet);
      const now = this.find(key);
      if (mine === this.seq && now) now.preview = preview;
    } catch (e) {
      if (mine === this.seq) toasts.error(`Could not read the sheet “${sheet}” of ${f.name}: ${errorMessage(e)}`);
    } finally {
      const now = this.find(key);
      if (now) now.switching = false;
    }
  }

  /** Files → Mapping: the files are grouped by their columns; the first group is mapped first. */
  toMapping(): boolean {
    if (this.step !== 'files' || this.busy || this.ready.length === 0) return false;
    const groups = groupByHeaders(this.ready, (f) => f.preview?.headers ?? []).map((g) => g.map((f) => f.key));
    // Back on the files and on again with the first set of columns as it was (a file of the same columns added
    // or taken away, say): the mapping and options made by hand are still theirs. The mapping goes by place, so
    // other columns first (another sheet, another first file) start from the suggestions again.
    const first = this.find(groups[0]?.[0] ?? -1)?.preview?.headers ?? [];
    const mappedFor = JSON.stringify(first.map(normalizeHeader));
    const same = this.group === 0 && this.mapping.length > 0 && mappedFor === this.mappedFor;
    this.mappedFor = mappedFor;
    this.groups = groups;
    this.group = 0;
    this.outcomes = [];
    if (!same) this.prepareGroup(true);
    else {
      // A file added to the set meanwhile is read with the mapping kept too.
      this.regionsFor = '';
      this.rereadRegions();
    }
    this.step = 'mapping';
    return true;
  }

  private prepareGroup(fresh: boolean) {
    const lead = this.lead;
    this.mapping = lead ? suggestedMapping(lead) : [];
    const kept = fresh ? defaultPlanOptions() : this.options;
    this.templateBase = null;
    // The channel and the checks stay as chosen for the files before; the rest belongs to these columns.
    this.options = {
      ...defaultPlanOptions(),
      channel: kept.channel,
      dedup: kept.dedup,
      keepInvalid: kept.keepInvalid,
      campaign: kept.campaign,
    };
    this.regions = {};
    this.regionsFor = this.regionColumns(this.mapping);
    this.checks = [];
    this.checkedPlans = [];
    this.error = null;
  }

  /** By place, not header: a file may repeat a header (two "E-Mail" columns) or leave several empty. */
  setTarget(index: number, target: string) {
    if (this.checking) return;
    const m = this.mapping[index];
    if (m) m.target = target;
    // Changed from the template's mapping, the import is no longer made with it (the history would say so).
    const base = this.templateBase;
    const same = base !== null && base.targets.join('\n') === this.mapping.map((x) => x.target).join('\n');
    this.options.template = same ? base.name : null;
    this.rereadRegions();
  }

  /** The mapping as it is now is template `name`'s (just applied, or saved). */
  markTemplate(name: string) {
    this.templateBase = { name, targets: this.mapping.map((x) => x.target) };
    this.options.template = name;
  }

  /** Applies a saved template by column header; answers the columns it matched. */
  useTemplate(t: ImportTemplate): string[] {
    if (this.checking) return [];
    const { mapping, matched } = applyTemplate(this.mapping, t);
    this.mapping = mapping;
    this.options.key = t.key;
    this.markTemplate(t.name);
    this.rereadRegions();
    return matched;
  }

  /** The plan of each file of the group, by file key. */
  items(): (RunItem & { key: number })[] {
    return this.groupFiles().map((f) => ({
      key: f.key,
      fileId: f.preview!.file_id,
      fileName: f.name,
      plan: planFor(f.preview!, this.mapping, this.options, this.detectedRegion(f)),
    }));
  }

  /** Mapping → Dry run: what every row of every file of the group would do. */
  async check(): Promise<boolean> {
    if (this.step !== 'mapping' || this.checking || this.problems.length > 0) return false;
    const mine = this.seq;
    const run = ++this.checkRun;
    let ended!: () => void;
    this.checkEnded = new Promise((resolve) => (ended = resolve));
    this.checking = true;
    this.checkCancelling = false;
    this.checkCancelAgain = false;
    this.checkStopped = false;
    this.error = null;
    const checks: FileCheck[] = [];
    try {
      await this.regionWork;
      const items = this.items();
      for (const item of items) {
        if (this.checkCancelling || mine !== this.seq) break;
        this.checkingFile = item.fileName;
        this.checkingId = item.fileId;
        this.checkProgress = null;
        try {
          const report = await backend().importDryRun(item.fileId, item.plan, (p) =>
            this.checkReport(run, item.fileId, p),
          );
          checks.push({ key: item.key, fileName: item.fileName, report, error: null });
        } catch (e) {
          // Stopped by this wizard's own cancel; any other refusal is the file's.
          if (toApiError(e).code === 'cancelled' && this.checkCancelling) break;
          checks.push({ key: item.key, fileName: item.fileName, report: null, error: capital(errorMessage(e)) });
        }
      }
      if (mine !== this.seq || this.step !== 'mapping') return false;
      if (this.checkCancelling) {
        // Back to the mapping as it was: nothing was written, and the check can be made again.
        this.checkCancelling = false;
        this.checkStopped = true;
        return false;
      }
      if (checks.every((c) => c.report === null)) {
        this.error = checks.length === 1 ? `Could not check ${checks[0].fileName}: ${checks[0].error}` : `Could not check the files: ${checks[0]?.error ?? ''}`;
        return false;
      }
      this.checks = checks;
      this.checkedPlans = items;
      this.step = 'dryrun';
      return true;
    } finally {
      if (mine === this.seq && run === this.checkRun) {
        this.checking = false;
        this.checkingFile = null;
        this.checkingId = null;
        this.checkProgress = null;
      }
      ended();
    }
  }

  /** Stops the check under way (it writes nothing): the wizard stays at the mapping. */
  async cancelCheck(): Promise<void> {
    if (!this.checking || this.checkCancelling) return;
    this.checkCancelling = true;
    if (this.checkingId !== null) await this.sendCheckCancel(this.checkRun, this.checkingId);
  }

  /**
   * Before a sign-out: the check under way is stopped and its end waited for (a few seconds at most), so it does
   * not go on in the backend for a session that is gone.
   */
  async stopCheck(): Promise<void> {
    if (!this.checking) return;
    this.checkCancelling = true;
    for (let tries = 0; this.checking && tries < 20; tries++) {
      const id = this.checkingId;
      if (id !== null && (await backend().importDryRunCancel(id).catch(() => false))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.race([this.checkEnded, new Promise((r) => setTimeout(r, 5000))]);
  }

  private checkReport(run: number, fileId: string, p: RunProgress) {
    if (run !== this.checkRun || this.checkingId !== fileId) return;
    this.checkProgress = p;
    if (this.checkCancelling && this.checkCancelAgain) void this.sendCheckCancel(run, fileId);
  }

  private async sendCheckCancel(run: number, fileId: string) {
    this.checkCancelAgain = false;
    try {
      // False: the check has not begun in the backend yet (or has just ended): asked again at its next report.
      const stopped = await backend().importDryRunCancel(fileId);
      if (!stopped && run === this.checkRun) this.checkCancelAgain = true;
    } catch (e) {
      toasts.error(`Could not stop the check: ${errorMessage(e)}`);
      // Stop may be pressed again.
      if (run === this.checkRun) this.checkCancelling = false;
    }
  }

  /** Whether Back leads anywhere: not from the columns of a later set, whose files before were imported. */
  get canGoBack(): boolean {
    return !this.checking && !(this.step === 'mapping' && this.group > 0);
  }

  back() {
    if (!this.canGoBack) return;
    if (this.step === 'dryrun') this.step = 'mapping';
    else if (this.step === 'mapping') this.step = 'files';
    this.error = null;
  }

  /**
   * Dry run → Mapping → Dry run again, keeping invalid emails and phones: the rows rejected only for them become
   * Drafts holding those values as typed, to fix later (what "keep invalid" on the mapping step does).
   */
  async keepInvalidAndCheck(): Promise<boolean> {
    if (this.step !== 'dryrun' || this.checking || importRuns.running) return false;
    this.options.keepInvalid = true;
    this.back();
    return this.check();
  }

  /**
   * From the dry run: brings the rows refused only by their stage's criteria in that stage, for `reason` (an
   * Administrator's; the core refuses anyone else's), then checks again. An empty reason passes none.
   */
  async overrideGateAndCheck(reason: string): Promise<boolean> {
    if (this.step !== 'dryrun' || this.checking || importRuns.running) return false;
    this.options.overrideReason = reason.trim();
    this.back();
    return this.check();
  }

  /** Dry run → Running → Report: imports the files checked (those whose check failed are left out). */
  async start(): Promise<void> {
    if (this.step !== 'dryrun') return;
    if (importRuns.running) {
      this.error = 'Another import or an undo is running: wait for it to end.';
      return;
    }
    const checkedKeys = new Set(this.checks.filter((c) => c.report).map((c) => c.key));
    const items = this.checkedPlans
      .filter((item) => checkedKeys.has(item.key))
      .map(({ fileId, fileName, plan }) => ({ fileId, fileName, plan }));
    this.ranItems = items;
    const outcomes = await this.run(items, 'dryrun');
    if (!outcomes) return;
    // The files whose check failed were not imported: the report (and the toast) say so beside the others.
    const unchecked: RunOutcome[] = this.checks
      .filter((c) => !c.report)
      .map((c) => ({
        fileName: c.fileName,
        batch: null,
        error: apiError('internal', `its check failed (${decapital(c.error ?? 'no answer')})`),
        skipped: false,
      }));
    this.outcomes = [...outcomes, ...unchecked];
    this.step = 'report';
    this.announce(this.outcomes);
  }

  /**
   * Runs `items` on the running step. Answers their outcomes, or null when the run could not start (said, back on
   * `fallback`) or the wizard was started over meanwhile.
   */
  private async run(items: RunItem[], fallback: 'dryrun' | 'report'): Promise<RunOutcome[] | null> {
    const mine = this.seq;
    this.error = null;
    this.step = 'running';
    let outcomes: RunOutcome[];
    try {
      outcomes = await importRuns.importFiles(items);
    } catch (e) {
      if (mine === this.seq) {
        this.error = `Could not start the import: ${errorMessage(e)}`;
        this.step = fallback;
      }
      return null;
    }
    void leadFacets.refresh();
    return mine === this.seq ? outcomes : null;
  }

  /** Away from the Import page, the end of a run is told in a toast that leads back to it. */
  private announce(outcomes: RunOutcome[]) {
    if (nav.view.name === 'imports') return;
    const rowsOf = (list: RunOutcome[]) =>
      rowsText(
        list.reduce((n, o) => n + (o.batch?.rows_done ?? 0), 0),
        list.reduce((c, o) => addCounts(c, o.batch?.counts ?? emptyCounts()), emptyCounts()),
      );
    const done = outcomes.filter((o) => o.batch);
    const what = rowsOf(done);
    const isFailed = (o: RunOutcome) => !!o.error || o.batch?.status === 'failed';
    const failed = outcomes.some(isFailed);
    const cancelled = outcomes.some((o) => o.batch?.status === 'cancelled');
    const name = outcomes.length === 1 ? outcomes[0].fileName : plural(outcomes.length, 'file');
    // Of several files, the ones that went in are told apart from the ones that failed (part-way, with rows in, or
    // without a batch): "the import of 3 files failed" would hide the two imported.
    const imported = done.filter((o) => !isFailed(o));
    const partWay = done.filter(isFailed);
    const notIn = outcomes.filter((o) => !o.batch && o.error).map((o) => o.fileName);
    const mixed = [
      imported.length > 0 ? `Imported ${joinList(imported.map((o) => o.fileName))}: ${rowsOf(imported)}` : '',
      ...partWay.map((o) => `${o.fileName} failed after ${plural(o.batch?.rows_done ?? 0, 'row')}`),
      notIn.length > 0 ? `not imported: ${joinList(notIn)}` : '',
    ].filter(Boolean);
    const message = failed && outcomes.length > 1 && done.length > 0
      ? capital(mixed.join('; '))
      : failed
        ? `The import of ${name} failed`
        : cancelled
          ? `The import of ${name} was cancelled after ${what}`
          : `Imported ${name}: ${what}`;
    const action = { label: 'Show', run: () => nav.go({ name: 'imports' }), testid: 'toast-show-import' };
    if (failed) toasts.error(message, { action });
    else toasts.success(message, { action });
  }

  /** Goes on with a cancelled or interrupted import of the report. */
  async resume(batchId: number): Promise<void> {
    const i = this.outcomes.findIndex((o) => o.batch?.id === batchId);
    const batch = this.outcomes[i]?.batch;
    if (!batch || this.step !== 'report' || importRuns.running) return;
    const mine = this.seq;
    this.error = null;
    this.step = 'running';
    let failure: string | null = null;
    try {
      const b = await importRuns.resume(batch.id, batch.file_name);
      if (mine === this.seq) this.outcomes[i] = { ...this.outcomes[i], batch: b, error: null };
    } catch (e) {
      failure = errorMessage(e);
      if (mine === this.seq) this.error = `Could not resume the import of ${batch.file_name}: ${failure}`;
      // A resume that failed part-way wrote rows before it stopped: the report shows the batch as it is now.
      const now = await backend()
        .importHistory()
        .then((h) => h.find((b) => b.id === batch.id) ?? null)
        .catch(() => null);
      if (now && mine === this.seq) this.outcomes[i] = { ...this.outcomes[i], batch: now };
    }
    if (mine !== this.seq) return;
    void leadFacets.refresh();
    this.step = 'report';
    // Its end is told away from the page as an import's is, of the resumed file alone (the others ended before);
    // a failure is named even when the batch could not be read again and still shows as it was.
    const o = this.outcomes[i];
    this.announce([failure ? { ...o, error: apiError('internal', failure) } : o]);
  }

  /** The files of the report a cancel kept from their turn: not imported, and still to be. */
  get remaining(): string[] {
    return this.outcomes.filter((o) => o.skipped).map((o) => o.fileName);
  }

  /** Imports the files a cancel kept from their turn, with the plans they were checked with. */
  async importRemaining(): Promise<void> {
    const at = this.outcomes.flatMap((o, i) => (o.skipped && this.ranItems[i] ? [i] : []));
    if (this.step !== 'report' || importRuns.running || at.length === 0) return;
    const outcomes = await this.run(at.map((i) => this.ranItems[i]), 'report');
    if (!outcomes) return;
    at.forEach((i, n) => (this.outcomes[i] = outcomes[n]));
    this.step = 'report';
    this.announce(outcomes);
  }

  /** An import of the report was resumed to its end from the history: the report shows where it is now. */
  resumed(batch: ImportBatch) {
    const o = this.outcomes.find((x) => x.batch?.id === batch.id);
    if (o) o.batch = batch;
  }

  /** An import of the report was undone (from the report or the history). */
  undone(batchId: number, report: UndoReport) {
    const o = this.outcomes.find((x) => x.batch?.id === batchId);
    if (o?.batch) o.batch = { ...o.batch, status: 'undone', undo: report } as ImportBatch;
  }

  /** A batch of the report as the backend now has it (an undo of it stopped part-way, say). */
  refreshed(batch: ImportBatch) {
    const o = this.outcomes.find((x) => x.batch?.id === batch.id);
    if (o?.batch) o.batch = batch;
  }

  /** The file names of the groups still to do. */
  get later(): string[][] {
    return this.groups.slice(this.group + 1).map((g) => g.map((k) => this.find(k)?.name ?? ''));
  }

  /** Report → Mapping of the next group of files. */
  nextGroup(): boolean {
    if (this.step !== 'report' || this.group + 1 >= this.groups.length) return false;
    this.group++;
    this.outcomes = [];
    this.prepareGroup(false);
    this.step = 'mapping';
    return true;
  }

  /** Back to an empty Files step. */
  reset() {
    this.seq++;
    this.step = 'files';
    this.files = [];
    this.notices = [];
    this.groups = [];
    this.mappedFor = '';
    this.group = 0;
    this.mapping = [];
    this.options = defaultPlanOptions();
    this.templateBase = null;
    this.regions = {};
    this.regionsFor = '';
    this.checks = [];
    this.checkedPlans = [];
    this.ranItems = [];
    // A check still running is stopped: its answer would be dropped, and it holds the writer between rehearsals.
    if (this.checking && this.checkingId !== null && !this.checkCancelling) {
      backend()
        .importDryRunCancel(this.checkingId)
        .catch(() => {});
    }
    this.checking = false;
    this.checkingFile = null;
    this.checkingId = null;
    this.checkProgress = null;
    this.checkCancelling = false;
    this.checkCancelAgain = false;
    this.checkStopped = false;
    this.checkRun++;
    this.outcomes = [];
    this.error = null;
  }
}

export const importWizard = new ImportWizard();
