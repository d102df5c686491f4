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
  importCsv: vi.fn(),
}));
vi.mock('./bindings', () => ({ commands }));

// The test setup already loaded ./api with the real bindings: load a fresh copy that sees the mock.
vi.resetModules();
const { BackendError, tauriBackend } = await import('./api');

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
      sort: 'updated_at' as const,
      ascending: false,
      after: null,
      limit: 50,
    };
    await expect(tauriBackend.listLeads(query)).resolves.toBe(page);
    expect(commands.listLeads).toHaveBeenCalledWith(query);
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

  it('sends the file to import_csv as an array of byte values, with a channel that reports progress', async () => {
    mockIPC(() => null);
    const report = { file_name: 'a.csv', rows: 1 };
    commands.importCsv.mockImplementation(async (_name: string, _bytes: number[], _mode: string, channel: Channel<unknown>) => {
      // The core's messages as the IPC delivers them to the channel, in order.
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, d: unknown) => void } })
        .__TAURI_INTERNALS__;
      internals.runCallback(channel.id, { index: 0, message: { phase: 'validating', done: 0, total: 2 } });
      internals.runCallback(channel.id, { index: 1, message: { phase: 'writing', done: 2, total: 2 } });
      return { status: 'ok', data: report };
    });
    const onProgress = vi.fn();
    await expect(tauriBackend.importCsv('a.csv', new Uint8Array([0xef, 0xbb, 0xbf, 65]), 'keep_invalid', onProgress)).resolves.toBe(
      report,
    );
    const [name, bytes, mode, channel] = commands.importCsv.mock.calls[0];
    expect([name, bytes, mode]).toEqual(['a.csv', [0xef, 0xbb, 0xbf, 65], 'keep_invalid']);
    expect(Array.isArray(bytes)).toBe(true);
    expect(channel).toBeInstanceOf(Channel);
    expect(onProgress.mock.calls).toEqual([
      [{ phase: 'validating', done: 0, total: 2 }],
      [{ phase: 'writing', done: 2, total: 2 }],
    ]);
  });

  it('gives an import refused by the core as a BackendError', async () => {
    mockIPC(() => null);
    commands.importCsv.mockResolvedValue({
      status: 'error',
      error: { code: 'permission_denied', message: 'viewers cannot import', field: null, fields: [] },
    });
    const thrown = await tauriBackend.importCsv('a.csv', new Uint8Array(), 'all_or_nothing', () => {}).catch((e) => e);
    expect(thrown).toBeInstanceOf(BackendError);
    expect(thrown.code).toBe('permission_denied');
  });
});

afterEach(() => {
  clearMocks();
});
