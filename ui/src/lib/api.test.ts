import { Channel } from '@tauri-apps/api/core';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const commands = vi.hoisted(() => ({
  listLeads: vi.fn(),
  signIn: vi.fn(),
  signOut: vi.fn(),
  changePassword: vi.fn(),
  undoLeadChange: vi.fn(),
  countLeads: vi.fn(),
  importStageFile: vi.fn(),
  importIcs: vi.fn(),
  importStart: vi.fn(),
  importUndo: vi.fn(),
  importCancel: vi.fn(),
  scanDuplicates: vi.fn(),
  cancelDuplicateScan: vi.fn(),
  duplicateQueue: vi.fn(),
  markNotDuplicate: vi.fn(),
  mergeLeads: vi.fn(),
  unmerge: vi.fn(),
  mergePairs: vi.fn(),
  leadMerges: vi.fn(),
  possibleDuplicates: vi.fn(),
}));
vi.mock('./bindings', () => ({ commands }));

// The test setup already loaded ./api with the real bindings: load a fresh copy that sees the mock.
vi.resetModules();
const { BackendError, tauriBackend, whenSessionEnds } = await import('./api');

beforeEach(() => {
  Object.values(commands).forEach((f) => f.mockReset());
});

describe('tauriBackend', () => {
  it('returns the data of an ok result', async () => {
    const page = { items: [], next_cursor: null };
    commands.listLeads.mockResolvedValue({ status: 'ok', data: page });
    const query = {
      text: 'x',
      status: null,
      stage: null,
      owner_id: null,
      source: null,
      campaign: null,
      tag: null,
      needs_fixing: false,
      import_id: null,
      sort: 'updated_at' as const,
      ascending: false,
      after: null,
      limit: 50,
    };
    await expect(tauriBackend.listLeads(query)).resolves.toBe(page);
    expect(commands.listLeads).toHaveBeenCalledWith(query);
  });

  it('tells the app when the backend says the session ended, and only then', async () => {
    const ended = vi.fn();
    const stop = whenSessionEnds(ended);
    commands.countLeads.mockResolvedValueOnce({
      status: 'error',
      error: { code: 'permission_denied', message: 'Viewer accounts cannot edit leads', field: null, fields: [] },
    });
    await expect(tauriBackend.countLeads({} as never)).rejects.toBeInstanceOf(BackendError);
    expect(ended).not.toHaveBeenCalled();
    const error = { code: 'session_ended', message: 'this account has been deactivated', field: null, fields: [] };
    commands.countLeads.mockResolvedValueOnce({ status: 'error', error });
    const thrown = await tauriBackend.countLeads({} as never).catch((e) => e);
    expect(thrown.code).toBe('session_ended');
    expect(ended).toHaveBeenCalledWith(expect.objectContaining({ code: 'session_ended' }));
    stop();
    commands.countLeads.mockResolvedValueOnce({ status: 'error', error });
    await tauriBackend.countLeads({} as never).catch(() => {});
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('throws a BackendError carrying code, message and fields on an error result', async () => {
    const error = {
      code: 'validation',
      message: 'emails.0: bad',
      field: 'emails.0',
      fields: [{ field: 'emails.0', message: 'bad' }],
    };
    commands.signIn.mockResolvedValue({ status: 'error', error });
    const thrown = await tauriBackend.signIn('a', 'b').catch((e) => e);
    expect(thrown).toBeInstanceOf(BackendError);
    expect(thrown.code).toBe('validation');
    expect(thrown.message).toBe('emails.0: bad');
    expect(thrown.fields).toEqual([{ field: 'emails.0', message: 'bad' }]);
    expect(commands.signIn).toHaveBeenCalledWith('a', 'b');
  });

  it('turns a JavaScript failure of the bridge into an internal BackendError', async () => {
    commands.signOut.mockRejectedValue(new Error('IPC unavailable'));
    const thrown = await tauriBackend.signOut().catch((e) => e);
    expect(thrown).toBeInstanceOf(BackendError);
    expect(thrown.code).toBe('internal');
    expect(thrown.message).toBe('IPC unavailable');
  });

  it('passes change_password arguments in order and resolves to nothing', async () => {
    commands.changePassword.mockResolvedValue({ status: 'ok', data: null });
    await expect(tauriBackend.changePassword(3, null, 'new-password')).resolves.toBeUndefined();
    expect(commands.changePassword).toHaveBeenCalledWith(3, null, 'new-password');
  });

  it('passes the lead id and the batch id to undo_lead_change, and the query to count_leads', async () => {
    const reverted = { id: 42, version: 7 };
    commands.undoLeadChange.mockResolvedValue({ status: 'ok', data: reverted });
    await expect(tauriBackend.undoLeadChange(42, 17)).resolves.toBe(reverted);
    expect(commands.undoLeadChange).toHaveBeenCalledWith(42, 17);

    commands.countLeads.mockResolvedValue({ status: 'ok', data: { count: 10000, more: true } });
    const query = { text: 'acme' } as Parameters<typeof tauriBackend.countLeads>[0];
    await expect(tauriBackend.countLeads(query)).resolves.toEqual({ count: 10000, more: true });
    expect(commands.countLeads).toHaveBeenCalledWith(query);
  });

  it("stages a file by sending its bytes as the request's raw body, its name in a header", async () => {
    const preview = { file_id: 'f1', file_name: 'Messe München.csv' };
    mockIPC((cmd) => (cmd === 'import_stage_file' ? preview : null));
    const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (...a: unknown[]) => unknown } })
      .__TAURI_INTERNALS__;
    const sent = vi.spyOn(internals, 'invoke');
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 65]);
    await expect(tauriBackend.importStageFile('Messe München.csv', bytes)).resolves.toEqual(preview);
    const [cmd, body, options] = sent.mock.calls[0];
    expect(cmd).toBe('import_stage_file');
    // The bytes themselves, not a JSON array of numbers the window's thread would have to read.
    expect(body).toBe(bytes);
    expect(options).toEqual({ headers: { 'x-rapport-file-name': 'Messe%20M%C3%BCnchen.csv' } });
    expect(commands.importStageFile).not.toHaveBeenCalled();
  });

  it("imports calendar files one request each, into the agent named, and says a refusal as the backend's error", async () => {
    const report = (file: string) => ({ file, created: 1 });
    mockIPC((cmd, args) => {
      if (cmd !== 'import_ics_file') return null;
      if ((args as Uint8Array)[0] === 0x21) throw { code: 'permission_denied', message: 'not yours', field: null, fields: [] };
      return report('x');
    });
    const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (...a: unknown[]) => unknown } })
      .__TAURI_INTERNALS__;
    const sent = vi.spyOn(internals, 'invoke');
    const files = [
      { name: 'a.ics', bytes: new Uint8Array([0x42]) },
      { name: 'b.ics', bytes: new Uint8Array([0x43]) },
    ];
    await expect(tauriBackend.importIcs(files, 7)).resolves.toHaveLength(2);
    expect(sent.mock.calls.map((c) => (c[2] as { headers: Record<string, string> }).headers)).toEqual([
      { 'x-rapport-agent-id': '7', 'x-rapport-file-name': 'a.ics' },
      { 'x-rapport-agent-id': '7', 'x-rapport-file-name': 'b.ics' },
    ]);
    const refused = tauriBackend.importIcs([{ name: 'c.ics', bytes: new Uint8Array([0x21]) }], null);
    await expect(refused).rejects.toBeInstanceOf(BackendError);
    await expect(refused).rejects.toMatchObject({ code: 'permission_denied' });
  });

  it('starts an import with a channel that reports progress, and resolves to the batch', async () => {
    mockIPC(() => null);
    const batch = { id: 4, status: 'completed' };
    const counts = { create_active: 2, create_draft: 0, update: 0, unchanged: 0, enrich: 0, review: 0, reject: 0 };
    const plan = { sheet: null, mapping: [], key: null, replace: false, source: null, source_detail: null, template: null, dedup: true, keep_invalid: false, phone_region: null, campaign: null, override_reason: null };
    commands.importStart.mockImplementation(async (_fileId: string, _plan: unknown, channel: Channel<unknown>) => {
      // The core's messages as the IPC delivers them to the channel, in order.
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, d: unknown) => void } })
        .__TAURI_INTERNALS__;
      // Absent optional fields (no total yet, no time left) arrive as null.
      internals.runCallback(channel.id, { index: 0, message: { batch_id: 4, phase: 'importing', rows_done: 0, rows_per_second: null, counts } });
      internals.runCallback(channel.id, {
        index: 1,
        message: { batch_id: 4, phase: 'importing', rows_done: 2, rows_total: 8, rows_per_second: 40, eta_seconds: 0.15, counts },
      });
      return { status: 'ok', data: batch };
    });
    const onProgress = vi.fn();
    await expect(tauriBackend.importStart('f1', plan, onProgress)).resolves.toBe(batch);
    const [fileId, sentPlan, channel] = commands.importStart.mock.calls[0];
    expect([fileId, sentPlan]).toEqual(['f1', plan]);
    expect(channel).toBeInstanceOf(Channel);
    expect(onProgress.mock.calls).toEqual([
      [{ batch_id: 4, phase: 'importing', rows_done: 0, rows_total: null, rows_per_second: null, eta_seconds: null, counts }],
      [{ batch_id: 4, phase: 'importing', rows_done: 2, rows_total: 8, rows_per_second: 40, eta_seconds: 0.15, counts }],
    ]);
  });

  it('gives an import refused by the core as a BackendError, and cancel resolves to nothing', async () => {
    mockIPC(() => null);
    commands.importUndo.mockResolvedValue({
      status: 'error',
      error: { code: 'permission_denied', message: 'viewers cannot import', field: null, fields: [] },
    });
    const thrown = await tauriBackend.importUndo(3, () => {}).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(BackendError);
    expect((thrown as InstanceType<typeof BackendError>).code).toBe('permission_denied');
    expect(commands.importUndo.mock.calls[0][0]).toBe(3);

    commands.importCancel.mockResolvedValue({ status: 'ok', data: false });
    await expect(tauriBackend.importCancel(3)).resolves.toBe(false);
    expect(commands.importCancel).toHaveBeenCalledWith(3);
  });
});

describe('tauriBackend duplicates', () => {
  it('scans with a channel that reports progress, and resolves to the summary', async () => {
    mockIPC(() => null);
    const summary = { leads: 8, open: 1, kept_apart: 0, enriched: 0, enrichment_stopped: false, enrichment_error: null, seconds: 0.1 };
    commands.scanDuplicates.mockImplementation(async (channel: Channel<unknown>) => {
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, d: unknown) => void } })
        .__TAURI_INTERNALS__;
      internals.runCallback(channel.id, { index: 0, message: { phase: 'reading', done: 0, total: 0, thousandths: false } });
      internals.runCallback(channel.id, { index: 1, message: { phase: 'matching', done: 0, total: 8, thousandths: false } });
      return { status: 'ok', data: summary };
    });
    const onProgress = vi.fn();
    await expect(tauriBackend.scanDuplicates(onProgress)).resolves.toBe(summary);
    expect(commands.scanDuplicates.mock.calls[0][0]).toBeInstanceOf(Channel);
    expect(onProgress.mock.calls).toEqual([
      [{ phase: 'reading', done: 0, total: 0, thousandths: false }],
      [{ phase: 'matching', done: 0, total: 8, thousandths: false }],
    ]);
  });

  it('gives a cancelled scan as a BackendError with code cancelled', async () => {
    mockIPC(() => null);
    commands.scanDuplicates.mockResolvedValue({
      status: 'error',
      error: { code: 'cancelled', message: 'the scan was cancelled', field: null, fields: [] },
    });
    const thrown = await tauriBackend.scanDuplicates(() => {}).catch((e) => e);
    expect(thrown).toBeInstanceOf(BackendError);
    expect(thrown.code).toBe('cancelled');
  });

  it('passes the arguments of the queue, merge, unmerge and not-a-duplicate commands in order', async () => {
    const ok = (data: unknown) => ({ status: 'ok', data });
    commands.cancelDuplicateScan.mockResolvedValue(ok(null));
    commands.duplicateQueue.mockResolvedValue(ok({ pairs: [], open: 0, matching: 0 }));
    commands.markNotDuplicate.mockResolvedValue(ok(null));
    const merged = { lead: { id: 11 }, merge_id: 40 };
    commands.mergeLeads.mockResolvedValue(ok(merged));
    const unmerged = { survivor: { id: 11 }, restored: [{ id: 12 }] };
    commands.unmerge.mockResolvedValue(ok(unmerged));

    await expect(tauriBackend.cancelDuplicateScan()).resolves.toBeUndefined();
    const filter = { tier: 'review' as const, campaign: 'Spring', source: null, import_id: 4 };
    await expect(tauriBackend.duplicateQueue(filter, 500)).resolves.toEqual({ pairs: [], open: 0, matching: 0 });
    expect(commands.duplicateQueue).toHaveBeenCalledWith(filter, 500);
    await expect(tauriBackend.markNotDuplicate(3, [{ lead_id: 1, version: 2 }])).resolves.toBeUndefined();
    expect(commands.markNotDuplicate).toHaveBeenCalledWith(3, [{ lead_id: 1, version: 2 }]);
    const choices = [{ field: 'last_name', lead_id: 12 }];
    const seen = [
      { lead_id: 11, version: 3 },
      { lead_id: 12, version: 1 },
    ];
    await expect(tauriBackend.mergeLeads(11, [12], choices, seen)).resolves.toBe(merged);
    expect(commands.mergeLeads).toHaveBeenCalledWith(11, [12], choices, seen, null);
    await expect(tauriBackend.mergeLeads(11, [12], choices, seen, 5)).resolves.toBe(merged);
    expect(commands.mergeLeads).toHaveBeenLastCalledWith(11, [12], choices, seen, 5);
    await expect(tauriBackend.unmerge(40)).resolves.toBe(unmerged);
    expect(commands.unmerge).toHaveBeenCalledWith(40, false);
    await tauriBackend.unmerge(41, true);
    expect(commands.unmerge).toHaveBeenLastCalledWith(41, true);
  });

  it('merges pairs in bulk with a channel that reports the pairs done, and resolves to the report', async () => {
    mockIPC(() => null);
    const report = { merged: [{ lead: { id: 11 }, merge_id: 41 }], skipped: [{ pair_id: 5, reason: 'gone' }] };
    commands.mergePairs.mockImplementation(async (_ids: number[], channel: Channel<unknown>) => {
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, d: unknown) => void } })
        .__TAURI_INTERNALS__;
      internals.runCallback(channel.id, { index: 0, message: 0 });
      internals.runCallback(channel.id, { index: 1, message: 1 });
      internals.runCallback(channel.id, { index: 2, message: 2 });
      return { status: 'ok', data: report };
    });
    const onProgress = vi.fn();
    await expect(tauriBackend.mergePairs([1, 5], onProgress)).resolves.toBe(report);
    const [ids, channel] = commands.mergePairs.mock.calls[0];
    expect(ids).toEqual([1, 5]);
    expect(channel).toBeInstanceOf(Channel);
    expect(onProgress.mock.calls).toEqual([[0], [1], [2]]);
  });

  it('passes the lead to lead_merges and the input to possible_duplicates', async () => {
    const ok = (data: unknown) => ({ status: 'ok', data });
    const merges = [{ merge_id: 40, at: '2025-03-02T10:00:00Z', actor_name: 'Ada', merged: [{ id: 12, name: 'Grace' }] }];
    commands.leadMerges.mockResolvedValue(ok(merges));
    await expect(tauriBackend.leadMerges(11)).resolves.toBe(merges);
    expect(commands.leadMerges).toHaveBeenCalledWith(11);

    const found = [{ lead: { id: 11 }, score: 0.9, tier: 'same', evidence: [] }];
    commands.possibleDuplicates.mockResolvedValue(ok(found));
    const input = { first_name: 'Grace', emails: ['grace@navy.mil'] } as Parameters<typeof tauriBackend.possibleDuplicates>[0];
    await expect(tauriBackend.possibleDuplicates(input)).resolves.toBe(found);
    expect(commands.possibleDuplicates).toHaveBeenCalledWith(input);
  });
});

afterEach(() => {
  clearMocks();
});

describe('plainMessage', () => {
  it('gives a refusal about one field by that field’s message alone, anything else as it came', async () => {
    const { plainMessage } = await import('./api');
    const err = (code: string, message: string, fields: { field: string; message: string }[] = []) =>
      new BackendError({ code, message, field: fields[0]?.field ?? null, fields, merged_into: null } as never);
    expect(plainMessage(err('validation', 'source: gone', [{ field: 'source', message: 'gone' }]))).toBe('gone');
    expect(plainMessage(err('not_found', 'lead 4 not found'))).toBe('lead 4 not found');
  });
});
