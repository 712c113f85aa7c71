// One typed function per Rust command (docs/app-commands.md). Every function resolves with the
// command's result or rejects with an AppError; argument names are camelCase (Tauri converts).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AppState,
  AwardPreview,
  AwardReceipt,
  DropCandidate,
  HistoryItem,
  ImportChoices,
  ImportView,
  MemberForm,
  MemberView,
  OperationReceipt,
  PendingOperation,
  Progress,
  Rejection,
  ReviewItem,
  SavedFile,
  SearchAnswer,
  SettingsView,
  ShopSettings,
  StatusBar,
  TierCandidate,
  TierOverview,
} from './bindings';
import { toAppError } from './errors';
import type { Lang } from './i18n';

/** The event long work emits. */
export const PROGRESS_EVENT = 'taem://progress';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

// Start, enrolment and sign-in.
export const appState = () => call<AppState>('app_state');
export const retryUpgrade = () => call<AppState>('retry_upgrade');
export const setLanguage = (language: Lang) => call<AppState>('set_language', { language });
export const enrol = (serverUrl: string, code: string, deviceName: string) =>
  call<AppState>('enrol', { serverUrl, code, deviceName });
export const startDemo = () => call<AppState>('start_demo');
export const signIn = (name: string, pin: string) => call<AppState>('sign_in', { name, pin });
export const signOut = () => call<AppState>('sign_out');

// Status bar.
export const status = () => call<StatusBar>('status');
export const syncNow = () => call<StatusBar>('sync_now');

// The counter.
export const find = (query: string, limit: number) => call<SearchAnswer>('find', { query, limit });
export const member = (key: string) => call<MemberView>('member', { key });
/** The edit form filled by Rust (not in docs/app-commands.md yet; the shell has it). */
export const memberForm = (key: string) => call<MemberForm>('member_form', { key });
export const history = (key: string, limit: number) => call<HistoryItem[]>('history', { key, limit });
export const newOpId = () => call<string>('new_op_id');
export const previewAward = (key: string, amount: string) =>
  call<AwardPreview>('preview_award', { key, amount });
export const award = (key: string, amount: string, billNo: string, opId: string) =>
  call<AwardReceipt>('award', { key, amount, billNo, opId });
export const redeem = (key: string, points: string, reward: string, opId: string) =>
  call<AwardReceipt>('redeem', { key, points, reward, opId });
export const voidBill = (billNo: string, reason: string, opId: string) =>
  call<AwardReceipt>('void_bill', { billNo, reason, opId });
export const adjust = (
  key: string,
  points: string,
  reason: string,
  countsTowardTier: boolean,
  opId: string,
) => call<AwardReceipt>('adjust', { key, points, reason, countsTowardTier, opId });
export const registerMember = (form: MemberForm, opId: string) =>
  call<OperationReceipt>('register_member', { form, opId });
export const editMember = (key: string, form: MemberForm, opId: string) =>
  call<OperationReceipt>('edit_member', { key, form, opId });

// Manager views.
export const tierOverview = () => call<TierOverview>('tier_overview');
export const closeToNextTier = (limit: number) => call<TierCandidate[]>('close_to_next_tier', { limit });
export const dueToDrop = (limit: number) => call<DropCandidate[]>('due_to_drop', { limit });
export const reviews = () => call<ReviewItem[]>('reviews');
export const rejections = () => call<Rejection[]>('rejections');
export const pendingOperations = (limit: number) =>
  call<PendingOperation[]>('pending_operations', { limit });

// Import and download (managers and the owner). A member file travels as raw bytes, its
// branch in a header (docs/app-commands.md).
export const importChoices = () => call<ImportChoices>('import_choices');
export const saveMemberTemplate = (format: 'xlsx' | 'csv') =>
  call<SavedFile>('save_member_template', { format });
async function sendFile<T>(command: string, bytes: Uint8Array, branch: string): Promise<T> {
  try {
    return await invoke<T>(command, bytes, { headers: { 'taem-branch': branch } });
  } catch (e) {
    throw toAppError(e);
  }
}
export const checkImport = (bytes: Uint8Array, branch: string) =>
  sendFile<ImportView>('check_import', bytes, branch);
export const importMembers = (bytes: Uint8Array, branch: string) =>
  sendFile<ImportView>('import_members', bytes, branch);
export const saveImportReport = () => call<SavedFile>('save_import_report');
export const download = (dataset: string, format: string, branch: string, from: string, to: string) =>
  call<SavedFile>('download', { dataset, format, branch, from, to });

// Settings.
export const settings = () => call<SettingsView>('settings');
export const saveSettings = (ownerName: string, pin: string, next: ShopSettings) =>
  call<SettingsView>('save_settings', { ownerName, pin, settings: next });

/** Listens to taem://progress; resolves with the function that stops listening. */
export function onProgress(handler: (p: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>(PROGRESS_EVENT, (event) => handler(event.payload));
}
