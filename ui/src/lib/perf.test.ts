import { describe, expect, it } from 'vitest';
import { SEARCH_SAMPLES, markCounterReady, markFirstScreen, perfRecord, recordSearch } from './perf';

describe('perf record', () => {
  it('keeps the first screen, the counter moment and a bounded list of searches', () => {
    markFirstScreen();
    const first = perfRecord().firstScreen;
    expect(first).not.toBeNull();
    markFirstScreen();
    markCounterReady();
    expect(perfRecord().firstScreen).toBe(first);
    expect(perfRecord().counterReady).toBeGreaterThanOrEqual(first ?? 0);

    const t0 = performance.now() - 12;
    for (let i = 0; i < SEARCH_SAMPLES + 10; i++) recordSearch(`q${i}`, 3, t0);
    const list = perfRecord().searches;
    expect(list).toHaveLength(SEARCH_SAMPLES);
    expect(list[list.length - 1].query).toBe(`q${SEARCH_SAMPLES + 9}`);
    expect(list[0].dom).toBeGreaterThanOrEqual(12);
    expect(list[0].frame).toBeGreaterThanOrEqual(list[0].dom);
  });
});
