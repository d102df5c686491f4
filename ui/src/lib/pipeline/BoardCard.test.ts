import { render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { boardCard, pipelineConfig } from '../../test/fixtures';
import appCss from '../../app.css?raw';
import { approvals } from './approvals.svelte';
import BoardCard from './BoardCard.svelte';
import cardSource from './BoardCard.svelte?raw';
import columnSource from './BoardColumn.svelte?raw';
import { CARD_HEIGHT } from './BoardColumn.svelte';

const stages = pipelineConfig().stages;
const stage = stages.find((s) => s.key === 'engagement')!;

function renderCard(card = boardCard(11, { name: 'Ada Lovelace', company: 'Analytical Engines Ltd', value: '125000', currency: 'EUR', owner_name: 'Eve Editor' })) {
  return render(BoardCard, {
    card,
    stage,
    stages,
    canMove: true,
    now: new Date(),
    top: 0,
    index: 0,
    count: 1,
    onopen: vi.fn(),
    onmove: vi.fn(),
  });
}

afterEach(() => approvals.setWaiting(11, false));

describe('the board card', () => {
  const style = /<style>([\s\S]*?)<\/style>/.exec(cardSource)?.[1] ?? '';
  /** The declarations of every rule in `css` whose selector list names `selector`. */
  const rule = (css: string, selector: string) =>
    [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)]
      .filter((m) => m[1].split(',').some((sel) => sel.trim() === selector))
      .map((m) => m[2])
      .join('\n');
  const px = (css: string, re: RegExp) => Number(re.exec(css)?.[1]);
  const space = (n: number) => px(appCss, new RegExp(`--s-${n}:\\s*(\\d+)px`));
  const textPx = (size: string) => px(appCss, new RegExp(`--text-${size}:\\s*(\\d+)px`));

  /** What a card's content gets across: the column, less its border, its scroll padding, the card's border and padding. */
  const cardRoom = () => {
    const column = px(columnSource, /\.board-column\s*\{[^}]*flex:\s*0 0 (\d+)px/);
    return column - 2 - 2 * space(2) - 2 - 2 * space(3);
  };
  // "Awaiting approval", 12 px bold, in DejaVu Sans (what WebKitGTK falls back to on Linux, and the widest of the
  // usual UI fonts: the screenshot that showed "Awaiting app…" used it).
  const AWAITING_TEXT = 123.2;

  it('shows "Awaiting approval" whole, on the company\u2019s line, not squeezed beside the amount and the age', () => {
    approvals.setWaiting(11, true);
    renderCard();
    const pill = screen.getByTestId('card-awaiting-approval');
    expect(pill).toHaveTextContent('Awaiting approval');
    const line = pill.parentElement!;
    expect(line).toHaveTextContent('Analytical Engines Ltd');
    expect(within(line).queryByTestId('card-value')).toBeNull();
    expect(within(line).queryByTestId('card-age')).toBeNull();

    // It never shrinks nor ends in an ellipsis: the company gives way instead.
    const pillRule = rule(style, '.card-waiting');
    expect(pillRule).toMatch(/flex:\s*none/);
    expect(pillRule).not.toMatch(/text-overflow|overflow:\s*hidden/);
    expect(pillRule).toMatch(/white-space:\s*nowrap/);
    expect(rule(style, '.card-company')).toMatch(/text-overflow:\s*ellipsis/);
    expect(rule(style, '.card-company')).toMatch(/min-width:\s*0/);

    // And it fits a card, leaving the company a dozen characters or so.
    expect(cardRoom()).toBe(228);
    const pillWidth = AWAITING_TEXT + 2 * space(1) + 2;
    expect(cardRoom() - pillWidth - space(2)).toBeGreaterThanOrEqual(80);
  });

  it('keeps the card\u2019s three lines within its fixed height with the pill', () => {
    approvals.setWaiting(11, true);
    renderCard();
    const body = Number(/body\s*\{[^}]*line-height:\s*([\d.]+)/.exec(appCss)?.[1]);
    const pillLine = Number(/line-height:\s*([\d.]+)/.exec(rule(style, '.card-waiting'))?.[1] ?? body);
    const name = textPx('sm') * body;
    const companyLine = Math.max(textPx('xs') * body, textPx('xs') * pillLine + 2);
    // The foot: the age badge (line-height 1.6, bordered) is its tallest.
    const foot = Math.max(textPx('xs') * 1.6 + 2, textPx('sm') * body);
    const inner = CARD_HEIGHT - space(2) - 2 * space(2) - 2;
    expect(name + companyLine + foot).toBeLessThanOrEqual(inner);
  });

  it('has no pill when no approval is awaited', () => {
    renderCard();
    expect(screen.queryByTestId('card-awaiting-approval')).toBeNull();
    expect(screen.getByText('Analytical Engines Ltd')).toBeInTheDocument();
  });
});
