// Debounced look-ups where only the latest query's answer is ever shown: an answer that
// arrives after a newer query was typed is dropped, however late it comes.

/** The debounce for search-as-you-type (the brief allows at most 60 ms). */
export const SEARCH_DEBOUNCE_MS = 50;

/** What a LatestOnly reports for the query currently shown. */
export interface LatestHandlers<T> {
  /** The answer for the latest query. */
  result: (query: string, value: T) => void;
  /** The failure for the latest query. */
  error: (query: string, error: unknown) => void;
  /** The latest query was emptied: show nothing. */
  clear?: () => void;
}

/**
 * Runs `fetch(query)` `delayMs` after the last `input`, and reports only the answer to the
 * latest query. `submit` (Enter) skips the wait and resolves with the latest query's answer,
 * or null when a newer query replaced it meanwhile.
 */
export class LatestOnly<T> {
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: { seq: number; query: string; promise: Promise<T | null> } | null = null;
  private shown: { seq: number; query: string; value: T } | null = null;

  constructor(
    private readonly fetch: (query: string) => Promise<T>,
    private readonly handlers: LatestHandlers<T>,
    private readonly delayMs: number = SEARCH_DEBOUNCE_MS,
  ) {}

  /** A keystroke: (re)start the wait; an empty query clears at once. */
  input(query: string): void {
    const seq = ++this.seq;
    this.cancelTimer();
    if (query.trim() === '') {
      this.shown = null;
      this.handlers.clear?.();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run(seq, query);
    }, this.delayMs);
  }

  /** Enter: the answer for `query` now (no wait), or null if a newer query overtook it. */
  submit(query: string): Promise<T | null> {
    if (query.trim() === '') return Promise.resolve(null);
    if (this.timer === null) {
      if (this.inFlight && this.inFlight.seq === this.seq && this.inFlight.query === query) {
        return this.inFlight.promise;
      }
      if (this.shown && this.shown.seq === this.seq && this.shown.query === query) {
        return Promise.resolve(this.shown.value);
      }
    }
    const seq = ++this.seq;
    this.cancelTimer();
    return this.run(seq, query);
  }

  /** Forget everything pending: no answer that is still on its way will be shown. */
  cancel(): void {
    this.seq++;
    this.cancelTimer();
    this.inFlight = null;
  }

  /** Whether `seq` is still the latest query. */
  private isLatest(seq: number): boolean {
    return seq === this.seq;
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private run(seq: number, query: string): Promise<T | null> {
    const promise = this.fetch(query).then(
      (value) => {
        if (!this.isLatest(seq)) return null;
        this.shown = { seq, query, value };
        this.handlers.result(query, value);
        return value;
      },
      (error: unknown) => {
        if (!this.isLatest(seq)) return null;
        this.shown = null;
        this.handlers.error(query, error);
        return null;
      },
    );
    this.inFlight = { seq, query, promise };
    return promise;
  }
}
