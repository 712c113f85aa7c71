import { describe, expect, it } from 'vitest';
import type { ImportView } from './bindings';
import { translate } from './i18n';
import { canImport, DATASETS, DATASET_LABEL, fileProblem, isImportStage, summary } from './transfer';

function view(over: Partial<ImportView> = {}): ImportView {
  return {
    checked_only: true,
    branch: 'BKK01',
    file_kind: 'csv_windows874',
    file_error: null,
    rows: 10,
    imported: 0,
    importable: 7,
    already_members: 1,
    bad_rows: 2,
    unknown_columns: [],
    new_codes: 0,
    problems: [],
    problems_total: 3,
    ...over,
  };
}

describe('import screen', () => {
  it('refuses empty, huge and old-Excel files before sending them', () => {
    expect(fileProblem({ name: 'members.csv', size: 0 })).toBe('imp.file_empty');
    expect(fileProblem({ name: 'members.csv', size: 30 * 1024 * 1024 })).toBe('imp.file_too_big');
    expect(fileProblem({ name: 'สมาชิก.XLS', size: 100 })).toBe('imp.file_old_excel');
    expect(fileProblem({ name: 'สมาชิก.xlsx', size: 100 })).toBeNull();
    expect(fileProblem({ name: 'members.csv', size: 100 })).toBeNull();
  });

  it('says what a check and an import did, in both languages', () => {
    const checked = summary(view());
    expect(checked.key).toBe('imp.sum_checked');
    expect(translate('th', checked.key, checked.params)).toContain('7');
    expect(translate('en', checked.key, checked.params)).toMatch(/7.*BKK01/);
    const done = summary(view({ checked_only: false, imported: 7 }));
    expect(done.key).toBe('imp.sum_imported');
    expect(translate('en', done.key, done.params)).toContain('7');
    expect(summary(view({ file_error: { en: 'x', th: 'x' } })).key).toBe('imp.sum_refused');
  });

  it('offers the import only for a checked file with rows to import', () => {
    expect(canImport(view())).toBe(true);
    expect(canImport(view({ importable: 0 }))).toBe(false);
    expect(canImport(view({ file_error: { en: 'x', th: 'x' } }))).toBe(false);
    expect(canImport(view({ checked_only: false }))).toBe(false);
    expect(canImport(null)).toBe(false);
  });

  it('tells its progress from sync progress', () => {
    expect(isImportStage('import_write')).toBe(true);
    expect(isImportStage('push')).toBe(false);
  });
});

describe('download screen', () => {
  it('labels every dataset in both languages', () => {
    for (const d of DATASETS) {
      expect(translate('th', DATASET_LABEL[d])).not.toBe(DATASET_LABEL[d]);
      expect(translate('en', DATASET_LABEL[d])).not.toBe(DATASET_LABEL[d]);
    }
  });
});
