// Look-ups while typing where only the latest query's answer is ever shown: an answer that
// arrives after a newer query was typed is dropped, however late it comes.
//
// No fixed debounce for search: the first keystroke is looked up at once, and while one look-up
// is on its way further keystrokes only replace the one queued behind it. A look-up on the
// replica takes a few milliseconds, so the answer follows the typing as closely as it can, and a
// scanner's burst of characters costs at most one look-up in flight plus one queued.

/** What a LatestOnly reports for the query currently shown. */
export interface LatestHandlers<T> {
  /** The answer for the latest query. */
  result: (query: string, value: T) => void;
  /** The failure for the latest query. */
  error: (query: string, error: unknown) => void;
  /** The latest query was emptied: show nothing. */
  clear?: () => void;
}

interface Query {
  seq: number;
  query: string;
}

/**
 * Runs `fetch(query)` for the latest `input` (after `delayMs` of quiet, when given; at once
 * otherwise), never more than one at a time, and reports only the answer to the latest query.
 * `submit` (Enter) skips the queue and resolves with the latest query's answer, or null when a
 * newer query replaced it meanwhile.
 */
export class LatestOnly<T> {
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The look-up on its way (input's; submit's run beside it). */
  private inFlight: (Query & { promise: Promise<T | null> }) | null = null;
  /** The query waiting for the one in flight. */
  private queued: Query | null = null;
  private shown: (Query & { value: T }) | null = null;

  constructor(
    private readonly fetch: (query: string) => Promise<T>,
    private readonly handlers: LatestHandlers<T>,
    private readonly delayMs: number = 0,
  ) {}

  /** A keystroke: look it up (or queue it, or restart the wait); an empty query clears at once. */
  input(query: string): void {
    const seq = ++this.seq;
    this.cancelTimer();
    this.queued = null;
    if (query.trim() === '') {
      this.shown = null;
      this.handlers.clear?.();
      return;
    }
    if (this.delayMs <= 0) {
      this.schedule({ seq, query });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule({ seq, query });
    }, this.delayMs);
  }

  /** Enter: the answer for `query` now (no wait), or null if a newer query overtook it. */
  submit(query: string): Promise<T | null> {
    if (query.trim() === '') return Promise.resolve(null);
    if (this.timer === null && this.queued === null) {
      if (this.inFlight && this.inFlight.seq === this.seq && this.inFlight.query === query) {
        return this.inFlight.promise;
      }
      if (this.shown && this.shown.seq === this.seq && this.shown.query === query) {
        return Promise.resolve(this.shown.value);
      }
    }
    const seq = ++this.seq;
    this.cancelTimer();
    this.queued = null;
    return this.run({ seq, query });
  }

  /** Forget everything pending: no answer that is still on its way will be shown. */
  cancel(): void {
    this.seq++;
    this.cancelTimer();
    this.queued = null;
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Runs `q` now, or queues it behind the look-up on its way. */
  private schedule(q: Query): void {
    if (this.inFlight) this.queued = q;
    else void this.run(q);
  }

  private run(q: Query): Promise<T | null> {
    const settle = <R>(outcome: () => R): R => {
      if (this.inFlight?.seq === q.seq) this.inFlight = null;
      const out = outcome();
      const next = this.queued;
      if (next && !this.inFlight) {
        this.queued = null;
        if (next.seq === this.seq) void this.run(next);
      }
      return out;
    };
    const promise = this.fetch(q.query).then(
      (value) =>
        settle(() => {
          if (q.seq !== this.seq) return null;
          this.shown = { ...q, value };
          this.handlers.result(q.query, value);
          return value;
        }),
      (error: unknown) =>
        settle(() => {
          if (q.seq !== this.seq) return null;
          this.shown = null;
          this.handlers.error(q.query, error);
          return null;
        }),
    );
    this.inFlight = { ...q, promise };
    return promise;
  }
}
