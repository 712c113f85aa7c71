// The submit path every counter operation form shares (award, redeem, void, adjust): one
// submission at a time, the form's operation id sent again on every retry (so a retry after a
// lost answer never writes twice) and replaced only after a success, and an error shown next to
// the field it names or else in the banner.

import type { AppError } from './bindings';
import { placeError, toAppError } from './errors';
import { OpId } from './opid';

/** Where errors that name no field of the form go (the app's banner). */
export interface Banner {
  /** Hide the previous banner: a new attempt starts. */
  dismiss: () => void;
  /** Show an error that belongs to no field of the form. */
  fail: (error: AppError) => void;
}

/** The state and submit logic of one operation form. */
export class OperationForm<F extends string> {
  /** A submission is on its way. */
  busy = $state(false);
  /** The error shown next to one of the form's fields. */
  error = $state<AppError | null>(null);
  private readonly opId: OpId;

  constructor(
    private readonly fields: readonly F[],
    mint: () => Promise<string>,
    private readonly banner: Banner,
    /** Move the focus to the field an error names. */
    private readonly focus: (field: F) => void,
  ) {
    this.opId = new OpId(mint);
  }

  /** The error for `field`, if the one shown is there. */
  errorFor(field: F): AppError | null {
    return this.error?.field === field ? this.error : null;
  }

  /** The cashier edits `field`: its error no longer applies. */
  edited(field: F): void {
    if (this.error?.field === field) this.error = null;
  }

  /**
   * Sends the operation with the form's id; on success hands over the receipt (true), else
   * shows the error (false). A second submit while one is on its way does nothing (false).
   */
  async submit<R>(send: (opId: string) => Promise<R>, done: (receipt: R) => void): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.banner.dismiss();
    try {
      const receipt = await send(await this.opId.get());
      this.opId.next();
      done(receipt);
      return true;
    } catch (err) {
      const placed = placeError(toAppError(err), this.fields);
      if ('field' in placed) {
        this.error = placed.error;
        this.focus(placed.field as F);
      } else this.banner.fail(placed.banner);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
