// Timings the app keeps about itself, for the performance run (tests/app's `app-perf`) to read
// over WebDriver: when the first screen became usable, and how long each search took from the
// keystroke to its results in the page. Cheap enough to keep on in every build: a mark and a
// bounded array of numbers.

/** One search: keystroke → results in the DOM, and → the next frame (about when it is painted). */
export interface SearchTiming {
  /** The query shown. */
  query: string;
  /** Members shown. */
  count: number;
  /** Milliseconds from the keystroke to the results in the DOM. */
  dom: number;
  /** Milliseconds from the keystroke to the next animation frame after that. */
  frame: number;
}

/** What the page keeps, on `globalThis.__taemPerf`. */
export interface PerfRecord {
  /** `performance.now()` when the first screen (first run, sign-in or counter) was usable. */
  firstScreen: number | null;
  /** `performance.now()` when the counter's search box was first focused. */
  counterReady: number | null;
  /** The latest searches (at most SEARCH_SAMPLES). */
  searches: SearchTiming[];
}

/** How many searches are kept. */
export const SEARCH_SAMPLES = 5000;

/** The page's record (created on first use). */
export function perfRecord(): PerfRecord {
  const g = globalThis as unknown as { __taemPerf?: PerfRecord };
  g.__taemPerf ??= { firstScreen: null, counterReady: null, searches: [] };
  return g.__taemPerf;
}

/** A screen a user can act on is up: the first such moment is kept. */
export function markFirstScreen(): void {
  const r = perfRecord();
  r.firstScreen ??= performance.now();
}

/** The counter's search box is focused and ready for the first time. */
export function markCounterReady(): void {
  markFirstScreen();
  const r = perfRecord();
  r.counterReady ??= performance.now();
}

/** Records a search shown `dom` ms after its keystroke; the frame time follows. */
export function recordSearch(query: string, count: number, typedAt: number): void {
  const dom = performance.now() - typedAt;
  const push = (frame: number) => {
    const list = perfRecord().searches;
    list.push({ query, count, dom, frame });
    if (list.length > SEARCH_SAMPLES) list.splice(0, list.length - SEARCH_SAMPLES);
  };
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => push(performance.now() - typedAt));
  } else push(dom);
}
