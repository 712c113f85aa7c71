import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestOnly, SEARCH_DEBOUNCE_MS } from './latest';

/** A fetch whose answers the test releases by hand, in any order. */
function manualFetch() {
  const calls: { query: string; resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const fetch = (query: string) =>
    new Promise<string>((resolve, reject) => calls.push({ query, resolve, reject }));
  return { calls, fetch };
}

function recorder() {
  const shown: string[] = [];
  const errors: string[] = [];
  let cleared = 0;
  return {
    shown,
    errors,
    get cleared() {
      return cleared;
    },
    handlers: {
      result: (q: string, v: string) => shown.push(`${q}=${v}`),
      error: (q: string) => errors.push(q),
      clear: () => {
        cleared++;
      },
    },
  };
}

describe('LatestOnly', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('debounces within the 60 ms budget: one fetch for a burst of keystrokes', async () => {
    expect(SEARCH_DEBOUNCE_MS).toBeLessThanOrEqual(60);
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('0');
    s.input('08');
    s.input('081');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1);
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(calls.map((c) => c.query)).toEqual(['081']);
    calls[0].resolve('r');
    await vi.runAllTimersAsync();
    expect(rec.shown).toEqual(['081=r']);
  });

  it('drops an answer that arrives after a newer query was sent', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('som');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    s.input('somc');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    expect(calls.map((c) => c.query)).toEqual(['som', 'somc']);
    // The newer answer comes first, then the stale one: only the newer is shown.
    calls[1].resolve('new');
    await Promise.resolve();
    calls[0].resolve('old');
    await vi.runAllTimersAsync();
    expect(rec.shown).toEqual(['somc=new']);
  });

  it('drops a stale answer even when the newer query is still waiting to be sent', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('a1');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    s.input('a12'); // still debouncing
    calls[0].resolve('old');
    await Promise.resolve();
    await Promise.resolve();
    expect(rec.shown).toEqual([]);
  });

  it('drops a stale failure too', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('x');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    s.input('xy');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    calls[0].reject(new Error('too short'));
    calls[1].resolve('ok');
    await vi.runAllTimersAsync();
    expect(rec.errors).toEqual([]);
    expect(rec.shown).toEqual(['xy=ok']);
  });

  it('clears at once on an empty query and forgets the pending one', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('0812');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    s.input('');
    expect(rec.cleared).toBe(1);
    calls[0].resolve('late');
    await vi.runAllTimersAsync();
    expect(rec.shown).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('submit (a scanner\u2019s Enter) fetches at once without waiting for the debounce', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('TM0000123');
    const answer = s.submit('TM0000123');
    expect(calls.map((c) => c.query)).toEqual(['TM0000123']);
    calls[0].resolve('one');
    await expect(answer).resolves.toBe('one');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS * 2);
    expect(calls).toHaveLength(1); // the cancelled debounce never fires
    expect(rec.shown).toEqual(['TM0000123=one']);
  });

  it('submit reuses the request in flight or the answer shown for the same query', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('5678');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    const inFlight = s.submit('5678');
    expect(calls).toHaveLength(1);
    calls[0].resolve('r');
    await expect(inFlight).resolves.toBe('r');
    await expect(s.submit('5678')).resolves.toBe('r');
    expect(calls).toHaveLength(1);
  });

  it('submit resolves null when a newer query overtakes it', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    const first = s.submit('11');
    s.input('112');
    calls[0].resolve('old');
    await expect(first).resolves.toBeNull();
    expect(rec.shown).toEqual([]);
  });

  it('cancel stops anything pending from being shown', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('abc');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    s.cancel();
    calls[0].resolve('late');
    await vi.runAllTimersAsync();
    expect(rec.shown).toEqual([]);
  });
});
