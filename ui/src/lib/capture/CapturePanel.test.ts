import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiErr, deferred, mockBackend, sessionFor } from '../../test/fixtures';
import { captureMock, captureSource } from '../../test/importFixtures';
import type { Backend } from '../api';
import type { CaptureSettings, NewCaptureSource } from '../types';
import { nav } from '../nav.svelte';
import { session } from '../session.svelte';
import Settings from '../settings/Settings.svelte';

function open(over: Partial<Backend> = {}, role: 'administrator' | 'editor' = 'administrator') {
  session.current = sessionFor(role);
  const be = mockBackend(over);
  const u = userEvent.setup();
  render(Settings);
  return { be, u };
}

async function sourceRow(name: string): Promise<HTMLElement> {
  await waitFor(() => expect(screen.getAllByTestId('capture-source-row').some((r) => r.textContent?.includes(name))).toBe(true));
  return screen.getAllByTestId('capture-source-row').find((r) => r.textContent?.includes(name))!;
}

describe('Settings › Capture API', () => {
  it('is shown to Administrators only', async () => {
    const { be } = open({}, 'editor');
    expect(await screen.findByTestId('pw-current')).toBeInTheDocument();
    expect(screen.queryByTestId('capture-settings')).toBeNull();
    expect(be.captureStatus).not.toHaveBeenCalled();
    expect(be.captureSources).not.toHaveBeenCalled();
  });

  it('asks before leaving an unsaved default phone region', async () => {
    const { u } = open();
    await screen.findByTestId('capture-status');
    nav.go({ name: 'settings' });
    await u.clear(screen.getByTestId('settings-region'));
    await u.type(screen.getByTestId('settings-region'), 'GB');
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent('the regional defaults');
    expect(nav.view).toEqual({ name: 'settings' });
  });

  it('asks before leaving capture settings with unsaved changes', async () => {
    const { u } = open();
    await screen.findByTestId('capture-status');
    nav.go({ name: 'settings' });
    await u.clear(screen.getByTestId('capture-port'));
    await u.type(screen.getByTestId('capture-port'), '8790');
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent('the capture settings');
    expect(nav.view).toEqual({ name: 'settings' });
  });

  it('asks before leaving an origin typed but not yet added, as its Save button counts it', async () => {
    const { u } = open();
    await screen.findByTestId('capture-status');
    nav.go({ name: 'settings' });
    await u.type(screen.getByTestId('capture-origin-input'), 'https://www.example.com');
    expect(screen.getByTestId('capture-save')).toBeEnabled();
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent('the capture settings');
    expect(nav.view).toEqual({ name: 'settings' });
    await u.click(screen.getByTestId('confirm-discard-settings-keep'));
    expect(screen.getByTestId('capture-origin-input')).toHaveValue('https://www.example.com');
  });

  it('turns the API on with its port, network access and allowed origins, and shows where it runs', async () => {
    const { be, u } = open();
    const status = await screen.findByTestId('capture-status');
    expect(status).toHaveAttribute('data-state', 'off');
    expect(status).toHaveTextContent('Off');
    expect(screen.getByTestId('capture-port')).toHaveValue('8787');
    expect(screen.getByTestId('capture-save')).toBeDisabled();

    await u.click(screen.getByTestId('capture-enabled'));
    await u.clear(screen.getByTestId('capture-port'));
    await u.type(screen.getByTestId('capture-port'), '8790');
    expect(screen.queryByTestId('capture-network-warning')).toBeNull();
    await u.click(screen.getByTestId('capture-open-network'));
    expect(screen.getByTestId('capture-network-warning')).toHaveTextContent('Any device that can reach this computer');

    // An origin is a scheme and a host: a bare host is refused; a trailing slash is dropped; Enter adds it.
    await u.type(screen.getByTestId('capture-origin-input'), 'www.example.com{Enter}');
    expect(screen.getByTestId('capture-origin-error')).toHaveTextContent('An origin is a scheme and a host');
    expect(screen.queryAllByTestId('capture-origin')).toHaveLength(0);
    await u.clear(screen.getByTestId('capture-origin-input'));
    await u.type(screen.getByTestId('capture-origin-input'), 'https://www.example.com/{Enter}');
    await u.type(screen.getByTestId('capture-origin-input'), 'https://shop.example.com');
    await u.click(screen.getByTestId('capture-origin-add'));
    expect(screen.getAllByTestId('capture-origin').map((li) => li.textContent?.trim())).toEqual([
      'https://www.example.com',
      'https://shop.example.com',
    ]);
    await u.click(screen.getAllByTestId('capture-origin-remove')[1]);
    // Where websites reach it: a proxy's address, which the website form will post to.
    await u.type(screen.getByTestId('capture-public-url'), ' https://leads.example.com ');
    expect(be.updateCaptureSettings).not.toHaveBeenCalled();

    await u.click(screen.getByTestId('capture-save'));
    await waitFor(() => expect(be.updateCaptureSettings).toHaveBeenCalledOnce());
    expect(be.updateCaptureSettings).toHaveBeenCalledWith(expect.objectContaining({ enabled: false, port: 8787 }), {
      enabled: true,
      port: 8790,
      open_to_network: true,
      allowed_origins: ['https://www.example.com'],
      public_url: 'https://leads.example.com',
    });
    await waitFor(() => expect(screen.getByTestId('capture-status')).toHaveAttribute('data-state', 'running'));
    expect(screen.getByTestId('capture-address')).toHaveTextContent('http://0.0.0.0:8790');
    expect(screen.getByTestId('capture-save')).toBeDisabled();
  });

  it('shows a port the backend refuses under the port, and a start failure in the status', async () => {
    const { be, u } = open({
      ...captureMock({ settings: { enabled: true } }),
      captureStatus: async () => ({
        settings: { enabled: true, port: 8787, open_to_network: false, allowed_origins: [], public_url: '' },
        running: false,
        address: null,
        error: 'port 8787 is in use by another program',
      }),
    });
    const status = await screen.findByTestId('capture-status');
    expect(status).toHaveAttribute('data-state', 'error');
    expect(status).toHaveTextContent('Not running: Port 8787 is in use by another program');

    await u.clear(screen.getByTestId('capture-port'));
    await u.type(screen.getByTestId('capture-port'), '80');
    await u.click(screen.getByTestId('capture-save'));
    expect(await screen.findByTestId('error-port')).toHaveTextContent('Use a port from 1024 to 65535');
    expect(be.updateCaptureSettings).toHaveBeenCalledOnce();

    await u.clear(screen.getByTestId('capture-port'));
    await u.type(screen.getByTestId('capture-port'), 'abc');
    await u.click(screen.getByTestId('capture-save'));
    expect(await screen.findByTestId('error-port')).toHaveTextContent('A port is a whole number');
    expect(be.updateCaptureSettings).toHaveBeenCalledOnce();
  });

  it('shows a public address the backend refuses under its field, and keeps it', async () => {
    const { be, u } = open({
      updateCaptureSettings: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid',
          fields: [{ field: 'public_url', message: '"leads.example.com" is not an address a website can post to' }],
        });
      },
    });
    await u.type(await screen.findByTestId('capture-public-url'), 'leads.example.com');
    await u.click(screen.getByTestId('capture-save'));
    expect(await screen.findByTestId('error-public_url')).toHaveTextContent('is not an address a website can post to');
    expect(be.updateCaptureSettings).toHaveBeenCalledOnce();
    expect(screen.getByTestId('capture-public-url')).toHaveValue('leads.example.com');
    expect(screen.queryByTestId('capture-settings-error')).toBeNull();
  });

  it('keeps what was typed when another Administrator changed the settings meanwhile, and saves over them on asking', async () => {
    const theirs: CaptureSettings = { enabled: true, port: 8790, open_to_network: false, allowed_origins: [], public_url: '' };
    let stored: CaptureSettings = { enabled: false, port: 8787, open_to_network: false, allowed_origins: [], public_url: '' };
    const { be, u } = open({
      captureStatus: async () => ({ settings: stored, running: stored.enabled, address: null, error: null }),
      updateCaptureSettings: async (seen, s) => {
        if (JSON.stringify(seen) !== JSON.stringify(stored)) throw apiErr({ code: 'conflict', message: 'changed since' });
        stored = s;
        return { settings: s, running: s.enabled, address: null, error: null };
      },
    });
    await screen.findByTestId('capture-status');
    // Another Administrator saves once this page has read the settings.
    stored = theirs;
    await u.type(screen.getByTestId('capture-public-url'), 'https://leads.example.com');
    await u.click(screen.getByTestId('capture-save'));
    expect(await screen.findByTestId('capture-settings-error')).toHaveTextContent(
      'Another Administrator changed these settings since you opened this page',
    );
    expect(screen.getByTestId('capture-public-url')).toHaveValue('https://leads.example.com');
    expect(stored).toBe(theirs);
    await u.click(screen.getByTestId('capture-save'));
    await waitFor(() => expect(stored.public_url).toBe('https://leads.example.com'));
    expect(be.updateCaptureSettings).toHaveBeenLastCalledWith(theirs, expect.objectContaining({ enabled: false }));
  });

  it('says how to begin when there are no sources', async () => {
    open({ captureSources: async () => [] });
    expect(await screen.findByTestId('capture-sources-empty')).toHaveTextContent(
      'No sources yet — create one for your website form',
    );
  });

  it("changes a source's campaign and rate later; its kind stays and a change made meanwhile is not overwritten", async () => {
    const { be, u } = open();
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-edit-source'));
    const dialog = await screen.findByTestId('capture-source-dialog');
    expect(dialog).toHaveTextContent('Edit “Website contact form”');
    expect(within(dialog).getByTestId('source-name')).toHaveValue('Website contact form');
    expect(within(dialog).getByTestId('source-kind-partner')).toBeDisabled();
    await u.clear(within(dialog).getByTestId('source-rate'));
    await u.type(within(dialog).getByTestId('source-rate'), '15');
    await u.type(within(dialog).getByTestId('source-campaign'), 'Spring');
    await u.click(within(dialog).getByTestId('source-create'));
    await waitFor(() => expect(screen.queryByTestId('capture-source-dialog')).toBeNull());
    expect(be.updateCaptureSource).toHaveBeenCalledWith(
      1,
      expect.objectContaining({ name: 'Website contact form' }),
      expect.objectContaining({ kind: 'web_form', rate_per_minute: 15, campaign: 'Spring' }),
    );
    expect(be.addCaptureSource).not.toHaveBeenCalled();
    expect(await sourceRow('Website contact form')).toHaveTextContent('Spring');
    // Opened on a version another Administrator changes meanwhile: refused, said, and read again.
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-edit-source'));
    const again = await screen.findByTestId('capture-source-dialog');
    const stored = (await be.captureSources()).find((x) => x.id === 1)!;
    await be.updateCaptureSource(1, stored, { ...stored, campaign: 'Autumn' });
    await u.clear(within(again).getByTestId('source-rate'));
    await u.type(within(again).getByTestId('source-rate'), '30');
    await u.click(within(again).getByTestId('source-create'));
    const said = await within(again).findByTestId('capture-source-error');
    expect(said).toHaveTextContent('Someone changed this source');
    // What was typed here stays; a field not touched here shows their change, and a second save keeps it.
    expect(said).toHaveTextContent('what you typed is kept');
    expect(within(again).getByTestId('source-rate')).toHaveValue('30');
    expect(within(again).getByTestId('source-campaign')).toHaveValue('Autumn');
    await u.click(within(again).getByTestId('source-create'));
    await waitFor(() => expect(screen.queryByTestId('capture-source-dialog')).toBeNull());
    expect(be.updateCaptureSource).toHaveBeenLastCalledWith(
      1,
      expect.objectContaining({ campaign: 'Autumn' }),
      expect.objectContaining({ rate_per_minute: 30, campaign: 'Autumn' }),
    );
  });

  it('asks before Escape, a click outside or the sidebar drops what was typed in a source', async () => {
    const { u } = open();
    await sourceRow('Website contact form');
    nav.go({ name: 'settings' });
    await u.click(screen.getByTestId('capture-new-source'));
    const dialog = await screen.findByTestId('capture-source-dialog');
    await u.type(within(dialog).getByTestId('source-name'), 'Partner feed');
    await u.keyboard('{Escape}');
    expect(await within(dialog).findByTestId('source-discard-question')).toHaveTextContent('Discard what you typed?');
    await u.click(within(dialog).getByTestId('source-keep'));
    expect(within(dialog).getByTestId('source-name')).toHaveValue('Partner feed');
    nav.go({ name: 'leads' });
    expect(await within(dialog).findByTestId('source-discard-question')).toBeInTheDocument();
    expect(nav.view.name).toBe('settings');
    await u.click(within(dialog).getByTestId('source-discard'));
    await waitFor(() => expect(screen.queryByTestId('capture-source-dialog')).toBeNull());
    await waitFor(() => expect(nav.view.name).toBe('leads'));
  });

  it("keeps a website source's field map (set with the CLI) when it is edited here, and shows it", async () => {
    const map = [{ column: 'form_fields[field_3]', target: 'phone' }];
    const { be, u } = open({ captureSources: async () => [captureSource({ field_map: map })] });
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-edit-source'));
    const dialog = await screen.findByTestId('capture-source-dialog');
    const shown = within(dialog).getByTestId('source-field-map');
    expect(within(shown).getByTestId('source-map-field-0')).toHaveValue('form_fields[field_3]');
    expect(within(shown).getByLabelText('Form field 1')).toBeInTheDocument();
    await u.clear(within(dialog).getByTestId('source-rate'));
    await u.type(within(dialog).getByTestId('source-rate'), '15');
    await u.click(within(dialog).getByTestId('source-create'));
    await waitFor(() => expect(be.updateCaptureSource).toHaveBeenCalledOnce());
    expect(be.updateCaptureSource).toHaveBeenCalledWith(
      1,
      expect.objectContaining({ field_map: map }),
      expect.objectContaining({ kind: 'web_form', rate_per_minute: 15, field_map: map }),
    );
  });

  it('creates a partner source with its field map and shows its token once, with Copy', async () => {
    const { be, u } = open();
    await sourceRow('Website contact form');
    await u.click(screen.getByTestId('capture-new-source'));
    const dialog = await screen.findByTestId('capture-source-dialog');
    // A name is required.
    await u.click(within(dialog).getByTestId('source-create'));
    expect(await within(dialog).findByTestId('error-name')).toBeInTheDocument();
    expect(be.addCaptureSource).not.toHaveBeenCalled();

    await u.type(within(dialog).getByTestId('source-name'), 'Acme leads');
    expect(within(dialog).queryByTestId('source-field-map')).toBeNull();
    await u.click(within(dialog).getByTestId('source-kind-partner'));
    await u.clear(within(dialog).getByTestId('source-rate'));
    await u.type(within(dialog).getByTestId('source-rate'), '20');
    await u.type(within(dialog).getByTestId('source-campaign'), ' Spring Expo ');
    await u.type(within(dialog).getByTestId('source-map-field-0'), 'contact_mail');
    await u.click(within(dialog).getByTestId('source-map-add'));
    await u.type(within(dialog).getByTestId('source-map-field-1'), 'firma');
    await u.selectOptions(within(dialog).getByTestId('source-map-target-1'), 'company');
    // A field can be left out; the channel and its detail are the source's own, never a partner field's.
    const targets = [...within(dialog).getByTestId('source-map-target-1').querySelectorAll('option')].map((o) => o.value);
    expect(targets).toContain('ignore');
    expect(targets).not.toContain('source');
    expect(targets).not.toContain('source_detail');
    await u.click(within(dialog).getByTestId('source-create'));

    const token = await within(dialog).findByTestId('capture-token');
    expect(be.addCaptureSource).toHaveBeenCalledWith({
      name: 'Acme leads',
      kind: 'partner',
      rate_per_minute: 20,
      campaign: 'Spring Expo',
      field_map: [
        { column: 'contact_mail', target: 'email' },
        { column: 'firma', target: 'company' },
      ],
    });
    const created = await be.addCaptureSource.mock.results[0].value;
    expect(token).toHaveValue(created.token);
    expect(within(dialog).getByTestId('capture-token-box')).toHaveTextContent('Copy the token now for the form or the partner');
    await u.click(within(dialog).getByTestId('capture-token-copy'));
    expect(await navigator.clipboard.readText()).toBe(created.token);

    await u.click(within(dialog).getByTestId('capture-token-done'));
    await waitFor(() => expect(screen.queryByTestId('capture-source-dialog')).toBeNull());
    // Shown once: the page holds its hint only.
    expect(screen.queryByTestId('capture-token')).toBeNull();
    expect(document.body.textContent).not.toContain(created.token);
    const row = await sourceRow('Acme leads');
    expect(row).toHaveTextContent(`${created.source.token_hint}…`);
    expect(created.token.startsWith(created.source.token_hint)).toBe(true);
    expect(row).toHaveTextContent('Partner');
    expect(within(row).getByTestId('capture-source-campaign')).toHaveTextContent('Spring Expo');

    // The token can be copied again: read from the keychain.
    await navigator.clipboard.writeText('');
    await u.click(within(row).getByTestId('capture-copy-token'));
    await waitFor(() => expect(be.captureToken).toHaveBeenCalledWith(created.source.id));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe(created.token));
  });

  it('stays open while it creates a source: Escape or the backdrop do not lose its refusal', async () => {
    const answer = deferred<NewCaptureSource>();
    const { be, u } = open({ addCaptureSource: () => answer.promise });
    await sourceRow('Website contact form');
    await u.click(screen.getByTestId('capture-new-source'));
    const dialog = await screen.findByTestId('capture-source-dialog');
    await u.type(within(dialog).getByTestId('source-name'), 'Website contact form');
    await u.click(within(dialog).getByTestId('source-create'));
    await waitFor(() => expect(be.addCaptureSource).toHaveBeenCalledOnce());

    fireEvent.keyDown(dialog, { key: 'Escape' });
    fireEvent.pointerDown(dialog);
    fireEvent.click(dialog);
    expect(screen.getByTestId('capture-source-dialog')).toBeInTheDocument();
    answer.reject(
      apiErr({ code: 'validation', message: 'invalid', fields: [{ field: 'name', message: 'is taken by another source' }] }),
    );
    expect(await within(dialog).findByTestId('error-name')).toHaveTextContent('Is taken by another source');
  });

  it('revokes a source only after asking', async () => {
    const { be, u } = open();
    const row = await sourceRow('Website contact form');
    await u.click(within(row).getByTestId('capture-revoke'));
    const dialog = await screen.findByTestId('capture-revoke-dialog');
    expect(dialog).toHaveTextContent('Its token stops working at once');
    await u.click(within(dialog).getByTestId('capture-revoke-cancel'));
    await waitFor(() => expect(screen.queryByTestId('capture-revoke-dialog')).toBeNull());
    expect(be.revokeCaptureSource).not.toHaveBeenCalled();

    await u.click(within(row).getByTestId('capture-revoke'));
    await u.click(within(await screen.findByTestId('capture-revoke-dialog')).getByTestId('capture-revoke-confirm'));
    await waitFor(() => expect(screen.queryByTestId('capture-revoke-dialog')).toBeNull());
    expect(be.revokeCaptureSource).toHaveBeenCalledWith(1);
    const revoked = await sourceRow('Website contact form');
    expect(within(revoked).getByTestId('capture-source-revoked')).toHaveTextContent('Revoked');
    expect(within(revoked).queryByTestId('capture-copy-token')).toBeNull();
    expect(within(revoked).queryByTestId('capture-revoke')).toBeNull();
  });

  it('shows the HTML form of a source, read-only, with Copy', async () => {
    const { be, u } = open();
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-form-html'));
    const text = await screen.findByTestId('capture-form-html-text');
    expect(be.captureFormHtml).toHaveBeenCalledWith(1);
    expect(text).toHaveAttribute('readonly');
    expect((text as HTMLTextAreaElement).value).toContain('<form method="post"');
    await u.click(screen.getByTestId('capture-form-html-copy'));
    expect(await navigator.clipboard.readText()).toContain('name="email"');
    // The API as saved (off, this computer only, no origin) could not take the form: each reason is said.
    const warnings = screen.getByTestId('capture-form-warnings');
    expect(warnings).toHaveTextContent('The capture API is off');
    expect(warnings).toHaveTextContent('listens on this computer only');
    expect(warnings).toHaveTextContent('No origin is allowed yet');
  });

  it('warns, for the HTML form of an API open to the network, that an HTTPS page needs an HTTPS address', async () => {
    const { u } = open({
      captureStatus: async () => ({
        settings: {
          enabled: true,
          port: 8787,
          open_to_network: true,
          allowed_origins: ['https://www.example.com'],
          public_url: '',
        },
        running: true,
        address: 'http://0.0.0.0:8787',
        error: null,
      }),
    });
    await screen.findByTestId('capture-status');
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-form-html'));
    const warnings = await screen.findByTestId('capture-form-warnings');
    expect(warnings).toHaveTextContent('served over HTTPS cannot post to a plain http:// address');
    expect(warnings).not.toHaveTextContent('is off');
    expect(warnings).not.toHaveTextContent('No origin');
  });

  it('has nothing to warn of for the HTML form once a public address and an origin are set', async () => {
    const { u } = open({
      captureStatus: async () => ({
        settings: {
          enabled: true,
          port: 8787,
          open_to_network: false,
          allowed_origins: ['https://www.example.com'],
          public_url: 'https://leads.example.com',
        },
        running: true,
        address: 'http://127.0.0.1:8787',
        error: null,
      }),
    });
    await screen.findByTestId('capture-status');
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-form-html'));
    await screen.findByTestId('capture-form-html-text');
    expect(screen.queryByTestId('capture-form-warnings')).toBeNull();
  });

  it('warns that an https page may not post to a public address of plain http', async () => {
    const { u } = open({
      captureStatus: async () => ({
        settings: {
          enabled: true,
          port: 8787,
          open_to_network: false,
          allowed_origins: ['https://www.example.com'],
          public_url: 'http://leads.example.com',
        },
        running: true,
        address: 'http://127.0.0.1:8787',
        error: null,
      }),
    });
    await screen.findByTestId('capture-status');
    await u.click(within(await sourceRow('Website contact form')).getByTestId('capture-form-html'));
    expect(await screen.findByTestId('capture-form-warnings')).toHaveTextContent('The public address is plain http://');
  });

  it("offers the HTML form for a website source only: a partner's token is for its server", async () => {
    open({
      captureSources: async () => [captureSource(), captureSource({ id: 2, name: 'Acme leads', kind: 'partner', token_hint: 'a1b2' })],
    });
    expect(within(await sourceRow('Website contact form')).getByTestId('capture-form-html')).toBeInTheDocument();
    const partner = await sourceRow('Acme leads');
    expect(within(partner).queryByTestId('capture-form-html')).toBeNull();
    expect(within(partner).getByTestId('capture-copy-token')).toBeInTheDocument();
  });

  it('lists the recent submissions, by source, with a link to the lead', async () => {
    const { be, u } = open({
      captureSources: async () => [captureSource(), captureSource({ id: 2, name: 'Acme leads', kind: 'partner', token_hint: 'a1b2' })],
    });
    await waitFor(() => expect(screen.getAllByTestId('capture-submission-row')).toHaveLength(2));
    const [ok, refused] = screen.getAllByTestId('capture-submission-row');
    expect(within(ok).getByTestId('capture-submission-status')).toHaveTextContent('201');
    // Outcomes in words, not the codes the core stores.
    expect(within(ok).getByTestId('capture-submission-outcome')).toHaveTextContent('Created (Active)');
    expect(within(refused).getByTestId('capture-submission-outcome')).toHaveTextContent('Refused');
    expect(refused).toHaveTextContent('422');
    expect(refused).toHaveTextContent('email: "grace@" is not a valid email address');
    expect(within(refused).queryByTestId('capture-submission-lead')).toBeNull();
    expect(be.captureSubmissions).toHaveBeenLastCalledWith(null, 100);

    const filter = screen.getByTestId('capture-submissions-source');
    await waitFor(() => expect(within(filter).getAllByRole('option')).toHaveLength(3));
    await u.selectOptions(filter, 'Acme leads');
    await waitFor(() => expect(be.captureSubmissions).toHaveBeenLastCalledWith(2, 100));
    expect(await screen.findByTestId('capture-submissions-empty')).toHaveTextContent('No submissions yet');

    await u.selectOptions(filter, 'Website contact form');
    await u.click((await screen.findAllByTestId('capture-submission-lead'))[0]);
    expect(nav.view).toEqual({ name: 'lead', id: 7 });
  });
});
