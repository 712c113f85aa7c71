// Conventions checked by a test: every user-visible text comes from the i18n dictionary, and
// every element the end-to-end tests drive keeps its data-testid.

import { describe, expect, it } from 'vitest';

const sources = import.meta.glob('../**/*.svelte', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** The text with every {expression} (nested braces included) replaced by a space. */
function withoutExpressions(text: string): string {
  let depth = 0;
  let out = '';
  for (const c of text) {
    if (c === '{') depth++;
    if (depth === 0) out += c;
    if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
    }
  }
  return out;
}

/** The markup of a component without its script, style, comments and expressions. */
function markup(source: string): string {
  return withoutExpressions(
    source
      .replace(/<script[\s\S]*?<\/script>/g, '')
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<!--[\s\S]*?-->/g, ''),
  );
}

const LETTERS = /[A-Za-z\u0E00-\u0E7F]/;

describe('components', () => {
  it('use no element whose popup GTK draws in the system font (<select>, <datalist>)', () => {
    // A PC without Thai fonts shows boxes there; the page draws in the bundled Sarabun.
    // Segmented.svelte is the choice widget instead.
    const native = Object.entries(sources)
      .filter(([, source]) => /<(select|datalist)[\s>]/.test(markup(source)))
      .map(([file]) => file);
    expect(native).toEqual([]);
  });

  it('were found', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
  });

  it('write no text outside the dictionary', () => {
    const found: string[] = [];
    for (const [file, source] of Object.entries(sources)) {
      const m = markup(source);
      // Text between tags.
      for (const [, text] of m.matchAll(/>([^<]*)</g)) {
        const plain = text.trim();
        // Key names on keyboard badges (F2, Esc) are the keys' own labels, not language.
        if (LETTERS.test(plain) && !/^(F\d{1,2}|Esc)$/.test(plain)) found.push(`${file}: "${plain}"`);
      }
      // Literal texts in attributes a person reads.
      for (const [, attr, text] of m.matchAll(/\b(placeholder|title|aria-label|alt)="([^"{]*)"/g)) {
        if (LETTERS.test(text)) found.push(`${file}: ${attr}="${text}"`);
      }
    }
    expect(found).toEqual([]);
  });

  it('keep the data-testids the end-to-end tests use', () => {
    const all = Object.values(sources).join('\n');
    const required = [
      'enrol-url', 'enrol-code', 'enrol-device', 'enrol-submit', 'start-demo', 'progress',
      'signin-name', 'signin-pin', 'signin-submit',
      'nav-{screen}', 'lang-toggle', 'signout', 'current-user',
      'search', 'results', 'result', 'member-card', 'member-name', 'member-code', 'member-balance',
      'member-tier', 'member-next-tier', 'tab-{x.id}', 'award-amount', 'award-bill', 'award-preview',
      'award-submit', 'redeem-points', 'redeem-reward', 'redeem-submit', 'void-bill', 'void-reason',
      'void-submit', 'history', 'history-item', 'register-open', '{prefix}-phone',
      '{prefix}-first-name', '{prefix}-last-name', '{prefix}-birthday', 'reg-submit', 'edit-submit',
      'op-result', 'error-{field}', 'error-banner',
      'status-bar', 'status-online', 'status-waiting', 'status-last-sync', 'sync-now',
      'mgr-tab-{x.id}', 'tier-overview', 'tier-row', 'close-to-next', 'due-to-drop', 'reviews',
      'pending-ops', 'rejections',
      'settings-form', 'tier-row-edit', 'settings-save', 'settings-readonly', 'owner-name', 'owner-pin',
    ];
    const missing = required.filter((id) => !all.includes(`data-testid="${id}"`));
    expect(missing).toEqual([]);
  });
});
