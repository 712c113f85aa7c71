// One operation id per form: minted once, sent again on every retry of the same form (so a
// retry after a lost answer can never write twice), and replaced only after a success.

/** Holds the operation id of one form. */
export class OpId {
  private current: Promise<string> | null = null;

  constructor(private readonly mint: () => Promise<string>) {}

  /** The form's id, minted on first use; a failed mint is retried on the next call. */
  get(): Promise<string> {
    if (!this.current) {
      const p = this.mint();
      this.current = p;
      p.catch(() => {
        if (this.current === p) this.current = null;
      });
    }
    return this.current;
  }

  /** After a success: the next submission is a new operation. */
  next(): void {
    this.current = null;
  }
}
