// The import and download screens' rules that need no window: which files the picker takes,
// what the summary of a checked or imported file says, and the download choices.

import type { ImportView } from './bindings';
import type { MessageKey, MessageParams } from './i18n';

/** What the file picker offers (Rust sniffs the bytes anyway: a renamed file is refused there). */
export const ACCEPT = '.csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The largest file the window reads: 5,000 rows of the template are far below 10 MB. */
export const FILE_BYTES_MAX = 20 * 1024 * 1024;

/** Why a chosen file is not sent at all, or null to send it. */
export function fileProblem(file: { name: string; size: number }): MessageKey | null {
  if (file.size === 0) return 'imp.file_empty';
  if (file.size > FILE_BYTES_MAX) return 'imp.file_too_big';
  if (/\.xls$/i.test(file.name)) return 'imp.file_old_excel';
  return null;
}

/** The headline of a checked or imported file. */
export function summary(view: ImportView): { key: MessageKey; params: MessageParams } {
  if (view.file_error) return { key: 'imp.sum_refused', params: {} };
  const params = {
    rows: view.rows,
    importable: view.checked_only ? view.importable : view.imported,
    members: view.already_members,
    bad: view.bad_rows,
    branch: view.branch,
  };
  return { key: view.checked_only ? 'imp.sum_checked' : 'imp.sum_imported', params };
}

/** Whether the "import" button can be pressed for this check. */
export function canImport(view: ImportView | null): boolean {
  return !!view && view.checked_only && !view.file_error && view.importable > 0;
}

/** The datasets a manager downloads, as Rust names them. */
export const DATASETS = ['members', 'ledger', 'redemptions', 'tier-changes'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Label keys of the datasets. */
export const DATASET_LABEL: Record<DatasetName, MessageKey> = {
  members: 'dl.members',
  ledger: 'dl.ledger',
  redemptions: 'dl.redemptions',
  'tier-changes': 'dl.tier_changes',
};

/** Whether a progress stage belongs to the import screen. */
export function isImportStage(stage: string): boolean {
  return stage.startsWith('import_');
}
