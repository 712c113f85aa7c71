import { describe, expect, it } from 'vitest';
import type { AppError } from './bindings';
import { OperationForm } from './opform.svelte';

const fieldError = (field: string | null): AppError => ({
  code: 'bad',
  field,
  en: `bad ${field}`,
  th: `ผิด ${field}`,
});

function setup() {
  let n = 0;
  const seen = { dismissed: 0, banners: [] as AppError[], focused: [] as string[] };
  const form = new OperationForm(
    ['amount', 'bill_no'] as const,
    async () => `op-${++n}`,
    { dismiss: () => seen.dismissed++, fail: (e) => seen.banners.push(e) },
    (f) => seen.focused.push(f),
  );
  return { form, seen };
}

describe('OperationForm', () => {
  it('sends the same id on a retry after an error and a new one after a success', async () => {
    const { form, seen } = setup();
    const sent: string[] = [];
    const fail = async (id: string) => {
      sent.push(id);
      throw fieldError('amount');
    };
    const ok = async (id: string) => {
      sent.push(id);
      return `receipt ${id}`;
    };
    const receipts: string[] = [];
    expect(await form.submit(fail, (r) => receipts.push(r))).toBe(false);
    expect(form.errorFor('amount')?.th).toBe('ผิด amount');
    expect(form.errorFor('bill_no')).toBeNull();
    expect(seen.focused).toEqual(['amount']);
    expect(await form.submit(ok, (r) => receipts.push(r))).toBe(true);
    expect(await form.submit(ok, (r) => receipts.push(r))).toBe(true);
    expect(sent).toEqual(['op-1', 'op-1', 'op-2']);
    expect(receipts).toEqual(['receipt op-1', 'receipt op-2']);
    expect(form.error).toBeNull();
    expect(seen.dismissed).toBe(3);
  });

  it('puts an error naming no field of the form in the banner', async () => {
    const { form, seen } = setup();
    const offline = async () => {
      throw fieldError('key');
    };
    expect(await form.submit(offline, () => {})).toBe(false);
    expect(form.error).toBeNull();
    expect(seen.banners.map((e) => e.field)).toEqual(['key']);
    expect(await form.submit(async () => Promise.reject(new Error('boom')), () => {})).toBe(false);
    expect(seen.banners[1].code).toBe('ui_unexpected');
  });

  it('ignores a second submit while one is on its way, and clears an edited field', async () => {
    const { form } = setup();
    let release: (v: string) => void = () => {};
    const slow = () => new Promise<string>((r) => (release = r));
    const first = form.submit(slow, () => {});
    expect(form.busy).toBe(true);
    expect(await form.submit(slow, () => {})).toBe(false);
    release('done');
    expect(await first).toBe(true);
    expect(form.busy).toBe(false);

    await form.submit(async () => Promise.reject(fieldError('bill_no')), () => {});
    form.edited('amount');
    expect(form.errorFor('bill_no')).not.toBeNull();
    form.edited('bill_no');
    expect(form.error).toBeNull();
  });
});
