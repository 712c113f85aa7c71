import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestOnly } from './latest';

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

/** Lets every settled promise run its callbacks. */
const flush = () => vi.runAllTimersAsync();

describe('LatestOnly', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('looks the first keystroke up at once and queues only the latest behind it', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('0');
    expect(calls.map((c) => c.query)).toEqual(['0']); // no wait
    s.input('08');
    s.input('081'); // replaces '08' in the queue
    expect(calls).toHaveLength(1);
    calls[0].resolve('stale');
    await flush();
    expect(calls.map((c) => c.query)).toEqual(['0', '081']);
    calls[1].resolve('r');
    await flush();
    expect(rec.shown).toEqual(['081=r']);
  });

  it('with a delay, waits for quiet: one fetch for a burst of keystrokes', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers, 60);
    s.input('1');
    s.input('12');
    s.input('125');
    vi.advanceTimersByTime(59);
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(calls.map((c) => c.query)).toEqual(['125']);
    calls[0].resolve('p');
    await flush();
    expect(rec.shown).toEqual(['125=p']);
  });

  it('shows the newest answer even when a stale one arrives after it', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    const first = s.submit('som');
    s.input('somc');
    calls[0].resolve('old');
    await expect(first).resolves.toBeNull();
    await flush();
    expect(calls.map((c) => c.query)).toEqual(['som', 'somc']);
    calls[1].resolve('new');
    await flush();
    expect(rec.shown).toEqual(['somc=new']);
  });

  it('drops a stale failure too', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('x');
    s.input('xy');
    calls[0].reject(new Error('too short'));
    await flush();
    calls[1].resolve('ok');
    await flush();
    expect(rec.errors).toEqual([]);
    expect(rec.shown).toEqual(['xy=ok']);
  });

  it('reports the latest failure', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('ab');
    calls[0].reject(new Error('too short'));
    await flush();
    expect(rec.errors).toEqual(['ab']);
  });

  it('clears at once on an empty query and forgets the queued one', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('0812');
    s.input('08123'); // queued
    s.input('');
    expect(rec.cleared).toBe(1);
    calls[0].resolve('late');
    await flush();
    expect(rec.shown).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('submit (a scanner\u2019s Enter) fetches at once, ahead of the queue', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('TM000');
    s.input('TM0000123'); // queued behind 'TM000'
    const answer = s.submit('TM0000123');
    expect(calls.map((c) => c.query)).toEqual(['TM000', 'TM0000123']);
    calls[1].resolve('one');
    await expect(answer).resolves.toBe('one');
    calls[0].resolve('partial');
    await flush();
    expect(calls).toHaveLength(2); // the queued input was dropped
    expect(rec.shown).toEqual(['TM0000123=one']);
  });

  it('submit reuses the request in flight or the answer shown for the same query', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('5678');
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

  it('cancel stops anything pending from being shown or sent', async () => {
    const { calls, fetch } = manualFetch();
    const rec = recorder();
    const s = new LatestOnly(fetch, rec.handlers);
    s.input('abc');
    s.input('abcd');
    s.cancel();
    calls[0].resolve('late');
    await flush();
    expect(rec.shown).toEqual([]);
    expect(calls).toHaveLength(1);
  });
});
