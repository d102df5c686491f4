import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ContactList, { MAX_CONTACTS_PER_KIND } from './ContactList.svelte';

const shown = (list: 'emails' | 'phones', n: number) =>
  render(ContactList, {
    list,
    values: Array.from({ length: n }, (_, i) => (list === 'emails' ? `ann${i}@lee.io` : `+44 20 7946 ${1000 + i}`)),
    errors: {},
    hint: () => null,
    onedit: () => {},
    onremove: () => {},
  });

describe('ContactList', () => {
  it('offers another row below the most a lead holds', () => {
    shown('emails', MAX_CONTACTS_PER_KIND - 1);
    expect(screen.getByTestId('add-email')).toBeInTheDocument();
    expect(screen.queryByTestId('emails-full')).toBeNull();
  });

  it('stops offering another row at the most a lead holds, and says so', () => {
    shown('phones', MAX_CONTACTS_PER_KIND);
    expect(screen.getAllByRole('textbox')).toHaveLength(MAX_CONTACTS_PER_KIND);
    expect(screen.queryByTestId('add-phone')).toBeNull();
    expect(screen.getByTestId('phones-full')).toHaveTextContent('A lead holds at most 20 phone numbers.');
  });
});
