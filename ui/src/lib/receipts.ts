// What the confirmation line says after an operation: points moved and the new balance.

import type { AwardReceipt, OperationReceipt } from './bindings';
import { formatPoints, formatSignedPoints } from './format';
import type { MessageKey, MessageParams } from './i18n';

/** A confirmation, ready for t(). */
export interface OpSummary {
  key: MessageKey;
  params: MessageParams;
  /** The operation id had already been applied: nothing new was written. */
  replayed: boolean;
  /** The tier the member moved to, when the operation moved them. */
  tierName: string | null;
  /** The member's code afterwards. */
  code: string;
}

/** The confirmation for award, redeem, void and adjust. */
export function summariseAward(r: AwardReceipt): OpSummary {
  const balance = formatPoints(Number(r.member.balance));
  const moved = formatPoints(Math.abs(Number(r.points)));
  const common = {
    replayed: r.replayed,
    tierName: r.tier_change ? r.tier_change.to.name : null,
    code: r.member.code,
  };
  switch (r.kind) {
    case 'earn':
      return { key: 'op.award', params: { points: moved, balance }, ...common };
    case 'earn_reversal':
      return { key: 'op.void', params: { points: moved, balance, bill: r.bill_no ?? '' }, ...common };
    case 'redeem':
      return { key: 'op.redeem', params: { points: moved, balance }, ...common };
    default:
      return {
        key: 'op.adjust',
        params: { points: formatSignedPoints(Number(r.points)), balance },
        ...common,
      };
  }
}

/** The confirmation for register and edit. */
export function summariseMember(r: OperationReceipt, kind: 'registered' | 'edited'): OpSummary {
  const p = r.member.profile;
  const name = [p.first_name, p.last_name ?? ''].join(' ').trim();
  return {
    key: kind === 'registered' ? 'op.registered' : 'op.edited',
    params: { name, code: r.member.code },
    replayed: r.replayed,
    tierName: null,
    code: r.member.code,
  };
}
