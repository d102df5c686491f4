import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { liveRegionsSaying } from '../../test/a11y';
import { apiErr, mockBackend } from '../../test/fixtures';
import ShortcutsHelp from '../shell/ShortcutsHelp.svelte';
import UserDialog from '../users/UserDialog.svelte';
import DialogOpener from '../../test/DialogOpener.svelte';

function openUserDialog(over: Parameters<typeof mockBackend>[0] = {}) {
  const be = mockBackend(over);
  const onclose = vi.fn();
  render(UserDialog, { user: null, onsaved: vi.fn(), onclose });
  return { be, onclose, dialog: screen.getByTestId('user-dialog'), u: userEvent.setup() };
}

describe('Dialog', () => {
  it('opens as a native modal dialog, labelled by its title, with focus on its first control', () => {
    const showModal = vi.spyOn(HTMLDialogElement.prototype, 'showModal');
    const { dialog } = openUserDialog();
    expect(dialog.tagName).toBe('DIALOG');
    expect(showModal).toHaveBeenCalledOnce();
    expect(dialog).toHaveAttribute('open');
    expect(screen.getByRole('dialog', { name: 'Add user' })).toBe(dialog);
    expect(screen.getByTestId('user-username')).toHaveFocus();
  });

  it('gives the focus back to what opened it, or to the heading near it when its action took that away', async () => {
    const u = userEvent.setup();
    render(DialogOpener);
    await u.click(screen.getByTestId('opener'));
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByTestId('opener')).toHaveFocus());

    await u.click(screen.getByTestId('opener'));
    await u.click(screen.getByTestId('take-away'));
    expect(screen.queryByTestId('opener')).toBeNull();
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Imports' })).toHaveFocus());
  });

  it('keeps Tab and Shift+Tab inside', async () => {
    const { dialog, u } = openUserDialog();
    const submit = screen.getByTestId('user-submit');
    submit.focus();
    await u.tab();
    expect(screen.getByTestId('user-username')).toHaveFocus();
    await u.tab({ shift: true });
    expect(submit).toHaveFocus();
    // Wherever focus is, many Tabs never leave the dialog.
    for (let i = 0; i < 12; i++) {
      await u.tab();
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
    }
  });

  it('closes on Escape from any control inside, and on the browser cancel with focus elsewhere', async () => {
    const { onclose, u } = openUserDialog();
    screen.getByRole('button', { name: 'Cancel' }).focus();
    await u.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledTimes(1);

    screen.getByTestId('user-role').focus();
    await u.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledTimes(2);

    // Focus on nothing in particular: the browser turns Escape into `cancel` on the open modal dialog.
    (document.activeElement as HTMLElement).blur();
    const cancel = new Event('cancel', { cancelable: true });
    screen.getByTestId('user-dialog').dispatchEvent(cancel);
    expect(onclose).toHaveBeenCalledTimes(3);
    expect(cancel.defaultPrevented).toBe(true);
  });

  it('closes on a click on the backdrop, not on a click inside', async () => {
    const onclose = vi.fn();
    render(ShortcutsHelp, { onclose });
    const dialog = screen.getByTestId('shortcuts-help');
    await userEvent.setup().click(screen.getByText('Keyboard shortcuts'));
    expect(onclose).not.toHaveBeenCalled();
    await fireEvent.pointerDown(dialog);
    await fireEvent.click(dialog);
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('gives focus back to where it was when it closes', async () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const { unmount } = render(ShortcutsHelp, { onclose: vi.fn() });
    expect(opener).not.toHaveFocus();
    unmount();
    expect(opener).toHaveFocus();
    opener.remove();
  });

  it('announces a field error once, and ties it to its field', async () => {
    const { u } = openUserDialog({
      createUser: async () => {
        throw apiErr({
          code: 'validation',
          message: 'username: "eve" is taken',
          fields: [{ field: 'username', message: '"eve" is taken' }],
        });
      },
    });
    await u.type(screen.getByTestId('user-username'), 'eve');
    await u.type(screen.getByTestId('user-password'), 'long-password');
    await u.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(screen.getByTestId('error-username')).toBeInTheDocument());
    expect(liveRegionsSaying('"eve" is taken')).toHaveLength(1);
    expect(screen.getByTestId('user-username')).toHaveAccessibleDescription('"eve" is taken');
    expect(screen.getByTestId('user-username')).toBeInvalid();
  });
});
