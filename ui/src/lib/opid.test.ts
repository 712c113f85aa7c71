import { describe, expect, it } from 'vitest';
import { OpId } from './opid';

describe('OpId', () => {
  it('keeps the same id across retries and mints a new one after a success', async () => {
    let n = 0;
    const id = new OpId(async () => `op-${++n}`);
    expect(await id.get()).toBe('op-1');
    expect(await id.get()).toBe('op-1'); // a retry after an error reuses it
    id.next();
    expect(await id.get()).toBe('op-2');
  });

  it('mints again when minting failed', async () => {
    let n = 0;
    const id = new OpId(async () => {
      n++;
      if (n === 1) throw new Error('no replica');
      return `op-${n}`;
    });
    await expect(id.get()).rejects.toThrow('no replica');
    expect(await id.get()).toBe('op-2');
  });
});
