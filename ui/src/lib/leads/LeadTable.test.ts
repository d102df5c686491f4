// The leads table renders only the rows in view. jsdom has no layout, so the scroll box is given the sizes a
// browser would compute: its viewport height, and a content height made of what is in the DOM.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import appCss from '../../app.css?raw';
import tableSource from './LeadTable.svelte?raw';
import { mockBackend, summary } from '../../test/fixtures';
import type { LeadPage, LeadQuery } from '../types';
import LeadList from './LeadList.svelte';
import { OVERSCAN, ROW_HEIGHT } from './LeadTable.svelte';

const VIEWPORT = 360;
/** The most rows a 360 px viewport may hold: those in view, one cut at each edge, and the overscan. */
const MAX_ROWS = VIEWPORT / ROW_HEIGHT + 2 + 2 * OVERSCAN;

function isScrollBox(el: Element): boolean {
  return el.classList.contains('leads-scroll');
}

/** The header, the rendered rows and the spacers standing in for the others. */
function contentHeight(box: Element): number {
  const spacers = [...box.querySelectorAll<HTMLElement>('tr.spacer td')].reduce(
    (h, td) => h + parseFloat(td.style.height),
    0,
  );
  return ROW_HEIGHT * (1 + box.querySelectorAll('tr.lead-row').length) + spacers;
}

beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return isScrollBox(this) ? VIEWPORT : 0;
  });
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return isScrollBox(this) ? VIEWPORT : 0;
  });
  vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return isScrollBox(this) ? contentHeight(this) : 0;
  });
  // As a browser does: scrolling moves the box and tells its listeners.
  HTMLElement.prototype.scrollTo = function (this: HTMLElement, opts?: ScrollToOptions | number) {
    if (typeof opts === 'object' && opts.top !== undefined) this.scrollTop = opts.top;
    this.dispatchEvent(new Event('scroll'));
  } as HTMLElement['scrollTo'];
});

afterEach(() => {
  delete (HTMLElement.prototype as Partial<HTMLElement>).scrollTo;
});

function props() {
  return { canWrite: true, onopen: vi.fn(), onnew: vi.fn() };
}

const many = (from: number, n: number) => Array.from({ length: n }, (_, i) => summary(from + i));
const rows = () => screen.queryAllByTestId('lead-row');
const indexes = () => rows().map((r) => Number(r.dataset.index));
const scrollBox = () => document.querySelector<HTMLElement>('.leads-scroll')!;

async function scrollTo(top: number) {
  const box = scrollBox();
  box.scrollTop = top;
  await fireEvent.scroll(box);
}

describe('the virtualized leads table', () => {
  it('renders only the rows in view out of 10,000, and follows the scroll', async () => {
    mockBackend({ listLeads: async () => ({ items: many(1, 10_000), next_cursor: null }) });
    render(LeadList, props());
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(rows().length).toBeLessThanOrEqual(MAX_ROWS);
    expect(indexes()[0]).toBe(0);
    // The spacers keep the full height, so the scrollbar is that of 10,000 rows.
    expect(contentHeight(scrollBox())).toBe(ROW_HEIGHT * 10_001);

    await scrollTo(ROW_HEIGHT * 5_000);
    await waitFor(() => expect(indexes()).toContain(5_000));
    expect(rows().length).toBeLessThanOrEqual(MAX_ROWS);
    expect(Math.min(...indexes())).toBeGreaterThanOrEqual(5_000 - OVERSCAN - 1);
    expect(screen.getByText('First5001 Last5001')).toBeInTheDocument();
    expect(screen.queryByText('First1 Last1')).toBeNull();
    expect(contentHeight(scrollBox())).toBe(ROW_HEIGHT * 10_001);
  });

  it('scrolls through 100,000 matches page by page, the DOM staying the same size', async () => {
    const TOTAL = 100_000;
    // Pages of 5,000 (more than the list asks for) keep the test quick; the cursor logic is the same.
    const PAGE = 5_000;
    const be = mockBackend({
      listLeads: async (q: LeadQuery): Promise<LeadPage> => {
        const from = q.after === null ? 0 : Number(q.after);
        const to = Math.min(from + PAGE, TOTAL);
        return { items: many(from + 1, to - from), next_cursor: to < TOTAL ? String(to) : null };
      },
      countLeads: async () => ({ count: 10_000, more: true }),
    });
    render(LeadList, props());
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));

    while (screen.queryByTestId('load-more')) {
      // A scroll to the end while a page is on its way asks for nothing more: wait for it, as a reader would.
      await waitFor(() => expect(screen.getByTestId('load-more')).not.toHaveAttribute('aria-busy'));
      const calls = be.listLeads.mock.calls.length;
      const box = scrollBox();
      await scrollTo(box.scrollHeight - box.clientHeight);
      await waitFor(() => expect(be.listLeads.mock.calls.length).toBeGreaterThan(calls));
      expect(rows().length).toBeLessThanOrEqual(MAX_ROWS);
      expect(be.listLeads.mock.calls.length).toBeLessThanOrEqual(TOTAL / PAGE);
    }
    const cursors = be.listLeads.mock.calls.map(([q]) => q.after);
    expect(cursors.slice(0, 3)).toEqual([null, '5000', '10000']);
    // Every page asked for once, in order.
    expect(cursors).toHaveLength(TOTAL / PAGE);
    await waitFor(() => expect(screen.getByTestId('lead-count')).toHaveTextContent(/^10,000\+ leads · 100,000 shown$/));

    const box = scrollBox();
    await scrollTo(box.scrollHeight - box.clientHeight);
    await waitFor(() => expect(indexes()).toContain(TOTAL - 1));
    expect(rows().length).toBeLessThanOrEqual(MAX_ROWS);
    expect(contentHeight(box)).toBe(ROW_HEIGHT * (TOTAL + 1));
  });

  it('moves with ↑/↓, Home/End and Page keys, scrolling the active row into view, and opens it with Enter', async () => {
    const onopen = vi.fn();
    mockBackend({ listLeads: async () => ({ items: many(1, 10_000), next_cursor: null }) });
    render(LeadList, { ...props(), onopen });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const u = userEvent.setup();
    const focused = () => Number((document.activeElement as HTMLElement).dataset.index);

    await u.click(screen.getByTestId('search-input'));
    await u.keyboard('{ArrowDown}');
    expect(focused()).toBe(0);
    await u.keyboard('{ArrowDown}{ArrowDown}');
    expect(focused()).toBe(2);

    await u.keyboard('{End}');
    await waitFor(() => expect(focused()).toBe(9_999));
    expect(rows().length).toBeLessThanOrEqual(MAX_ROWS);
    expect(scrollBox().scrollTop).toBe(ROW_HEIGHT * 10_001 - VIEWPORT);

    await u.keyboard('{ArrowUp}');
    expect(focused()).toBe(9_998);
    await u.keyboard('{PageUp}');
    await waitFor(() => expect(focused()).toBeLessThan(9_998));
    await u.keyboard('{Enter}');
    expect(onopen).toHaveBeenLastCalledWith(focused() + 1);

    await u.keyboard('{Home}');
    await waitFor(() => expect(focused()).toBe(0));
    // The row sits below the sticky header, not under it.
    expect(scrollBox().scrollTop).toBe(0);
    await u.keyboard('{ArrowUp}');
    expect(screen.getByTestId('search-input')).toHaveFocus();
  });

  it('is one Tab stop: the active row, which screen readers place among all the matches', async () => {
    mockBackend({
      listLeads: async () => ({ items: many(1, 100), next_cursor: null }),
      countLeads: async () => ({ count: 100, more: false }),
    });
    render(LeadList, props());
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(rows().filter((r) => r.tabIndex === 0)).toHaveLength(1);
    expect(rows()[3]).toHaveAttribute('aria-rowindex', '5');
    await waitFor(() => expect(screen.getByRole('table', { name: 'Leads' })).toHaveAttribute('aria-rowcount', '101'));
  });

  it('shows long values cut short with the whole value on hover', async () => {
    const email = 'bartholomew.fitzgerald-montgomery@international-consolidated-holdings.example.com';
    mockBackend({
      listLeads: async () => ({
        items: [summary(1, { primary_email: email, company: 'Consolidated Intercontinental Widget Holdings Ltd' })],
        next_cursor: null,
      }),
    });
    render(LeadList, props());
    expect(await screen.findByText(email)).toHaveAttribute('title', email);
    expect(screen.getByText('Consolidated Intercontinental Widget Holdings Ltd')).toHaveAttribute(
      'title',
      'Consolidated Intercontinental Widget Holdings Ltd',
    );
    expect(screen.getByText('First1 Last1')).toHaveAttribute('title', 'First1 Last1');
  });
});

describe('the leads table layout', () => {
  // The column rules live in LeadTable's own <style>; the frame (sidebar, paddings, badge) in app.css.
  const style = /<style>([\s\S]*?)<\/style>/.exec(tableSource)?.[1] ?? '';
  const num = (css: string, re: RegExp) => Number(re.exec(css)?.[1]);
  const colWidth = (c: string) => num(style, new RegExp(`\\.leads-table col\\.col-${c}\\s*\\{\\s*width:\\s*(\\d+)px`));
  const space = (n: number) => num(appCss, new RegExp(`--s-${n}:\\s*(\\d+)px`));
  const FIXED = ['phone', 'status', 'stage', 'owner', 'updated'];
  /** Columns left out of the table below a window width: `new MediaQuery('min-width: 1200px')` in its script. */
  const DROP = /const with(\w+) = new MediaQuery\('min-width: (\d+)px'\)/g;
  const drops = [...tableSource.matchAll(DROP)].map((m) => ({ below: Number(m[2]), col: m[1].toLowerCase() }));
  /** The table's width in a window: less the sidebar, the page's side padding, the table's border and a scrollbar. */
  const tableWidth = (win: number) => win - num(appCss, /--sidebar-w:\s*(\d+)px/) - 2 * space(6) - 2 - 16;
  /** What Name, Company and Email each get: they share what the fixed columns leave. */
  function flexibleShare(win: number): number {
    const shown = FIXED.filter((c) => !drops.some((d) => d.col === c && win < d.below));
    return (tableWidth(win) - shown.reduce((a, c) => a + colWidth(c), 0)) / 3;
  }
  /** A cell's room for its content: each side has var(--s-3) of padding (`.data-table td`). */
  const room = (c: string) => colWidth(c) - 2 * space(3);

  // Widths measured in DejaVu Sans, what WebKitGTK falls back to for system-ui on Linux and the widest of the
  // usual UI fonts (the screenshots that showed "Active …" and "+1 415-555-2…" used it).
  /** The widest of some typical international numbers, 13 px: "+49 30 123456789" ("+44 20 7946 0018": 122.5). */
  const PHONE_TEXT = 126.7;
  /** "Active", the longer status, 12 px bold (42.2), plus the badge's own padding. */
  const badge = () => 42.2 + 2 * space(2);
  /** The "STATUS" header: 12 px bold capitals with 0.03em letter spacing. */
  const STATUS_HEADER = 54.8;

  it('uses a fixed layout, and hides Owner below 1200 px and Stage below 1100 px', () => {
    expect(style).toMatch(/\.leads-table\s*\{\s*table-layout:\s*fixed;/);
    expect(FIXED.every((c) => colWidth(c) > 0)).toBe(true);
    expect(drops).toEqual(expect.arrayContaining([{ below: 1200, col: 'owner' }, { below: 1100, col: 'stage' }]));
  });

  // Left out of the table, not hidden by CSS: WebKit's fixed layout kept a hidden column's width, and at 960 px
  // the table stopped 220 px short of the window's edge with names cut at 103 px.
  it.each([
    [1280, ['Name', 'Company', 'Email', 'Phone', 'Status', 'Stage', 'Owner', 'Updated']],
    [1100, ['Name', 'Company', 'Email', 'Phone', 'Status', 'Stage', 'Updated']],
    [960, ['Name', 'Company', 'Email', 'Phone', 'Status', 'Updated']],
  ])('a %i px window has the columns it shows, and no other', async (win, headers) => {
    const listeners: (() => void)[] = [];
    vi.stubGlobal('matchMedia', (q: string) => ({
      matches: win >= Number(/min-width:\s*(\d+)px/.exec(q)?.[1] ?? 0),
      addEventListener: (_: string, f: () => void) => listeners.push(f),
      removeEventListener: () => {},
    }));
    try {
      mockBackend({ listLeads: async () => ({ items: many(1, 3), next_cursor: null }) });
      render(LeadList, props());
      await waitFor(() => expect(rows().length).toBe(3));
      const shown = [...document.querySelectorAll('.leads-table th')].map((th) => th.textContent?.trim());
      expect(shown).toEqual(headers);
      expect(document.querySelectorAll('.leads-table col')).toHaveLength(headers.length);
      expect(rows()[0].querySelectorAll('td')).toHaveLength(headers.length);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('fits the default 1280 px window: the fixed columns leave room for names, companies and emails', () => {
    expect(tableWidth(1280)).toBe(1006);
    // Each keeps room for some 18 characters before the ellipsis.
    expect(flexibleShare(1280)).toBeGreaterThanOrEqual(140);
    // And never gets squeezed to nothing at any window width down to the minimum (960 px).
    for (let win = 960; win <= 1600; win++) expect(flexibleShare(win), `at ${win} px`).toBeGreaterThanOrEqual(100);
  });

  it('shows the status badge and a typical international phone number in full', () => {
    expect(space(3)).toBe(12);
    expect(space(2)).toBe(8);
    expect(room('status')).toBeGreaterThanOrEqual(Math.max(badge(), STATUS_HEADER) + 2);
    expect(room('phone')).toBeGreaterThanOrEqual(PHONE_TEXT + 2);
  });
});
