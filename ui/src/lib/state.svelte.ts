// The app's state: which phase and screen, who is signed in, the status bar (polled every
// second), progress of long work, and the error banner.

import * as api from './api';
import type { AppError, AppState, Progress, StatusBar } from './bindings';
import { toAppError } from './errors';
import type { Lang } from './i18n';
import { lang, setLang } from './locale.svelte';
import { canOpen, type Screen } from './roles';

/** How often the status bar asks for the status. */
export const STATUS_POLL_MS = 1000;

class Store {
  /** The app as Rust last described it (null until the first answer). */
  app = $state<AppState | null>(null);
  /** The status bar (null until the first answer). */
  status = $state<StatusBar | null>(null);
  /** The screen shown after sign-in (changing it hides the banner of the screen left). */
  #screen = $state<Screen>('counter');
  get screen(): Screen {
    return this.#screen;
  }
  set screen(next: Screen) {
    if (next !== this.#screen) this.banner = null;
    this.#screen = next;
  }
  /** Progress of bootstrap / demo / sync work. */
  progress = $state<Progress | null>(null);
  /** The banner: errors that belong to no field. */
  banner = $state<AppError | null>(null);
  /** The clock for relative times, ticking with the status poll. */
  nowMs = $state(Date.now());

  private polling: ReturnType<typeof setInterval> | null = null;
  private statusInFlight = false;

  /** The signed-in role, if any. */
  get role(): string | null {
    return this.app?.session?.role ?? null;
  }

  /** Takes a new AppState from any command that answers one. */
  apply(next: AppState): void {
    const signedIn = !this.app?.session && next.session;
    this.app = next;
    if (signedIn) this.screen = 'counter';
    if (next.language !== lang()) setLang(next.language);
    if (!canOpen(next.session?.role, this.screen)) this.screen = 'counter';
    if (next.phase === 'first_run' || next.phase === 'upgrading') this.stopPolling();
    else this.startPolling();
    // The end of an upgrade is an event; should the window miss it, it asks again.
    if (next.phase === 'upgrading' && !next.upgrade?.error) this.pollUpgrade();
  }

  /** Shows an error in the banner. */
  fail(error: unknown): void {
    this.banner = toAppError(error);
  }

  /** Hides the banner. */
  dismiss(): void {
    this.banner = null;
  }

  /** Loads the app state; listens to progress events. */
  async start(): Promise<void> {
    try {
      await api.onProgress((p) => {
        if (p.stage === 'synced') void this.refreshStatus();
        else if (p.stage === 'upgrade') void this.refreshApp();
        else this.progress = p;
      });
    } catch {
      // Outside the Tauri window (a plain browser) there are no events; commands will say so.
    }
    await this.refreshApp();
  }

  /** Reads the app state again (at start, and after an upgrade of the data ended). */
  refreshApp(): Promise<void> {
    return this.applyFrom(api.appState());
  }

  /** Tries a failed upgrade of this counter's data again. */
  retryUpgrade(): Promise<void> {
    return this.applyFrom(api.retryUpgrade());
  }

  /** Takes the AppState a command answers, or shows its error in the banner. */
  private async applyFrom(answer: Promise<AppState>): Promise<void> {
    try {
      this.apply(await answer);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Switches the language now and remembers it on the Rust side. */
  async toggleLanguage(): Promise<void> {
    const next: Lang = lang() === 'th' ? 'en' : 'th';
    setLang(next);
    await this.applyFrom(api.setLanguage(next));
  }

  /** Asks for the status now (also after every write). */
  async refreshStatus(): Promise<void> {
    if (this.statusInFlight) return;
    this.statusInFlight = true;
    try {
      this.status = await api.status();
    } catch {
      // The next poll tries again; the bar keeps the last known status.
    } finally {
      this.statusInFlight = false;
      this.nowMs = Date.now();
    }
  }

  /** One sync cycle now. */
  async syncNow(): Promise<void> {
    try {
      this.status = await api.syncNow();
    } catch (e) {
      this.fail(e);
    }
  }

  signOut(): Promise<void> {
    return this.applyFrom(api.signOut());
  }

  private upgradePoll: ReturnType<typeof setTimeout> | null = null;

  private pollUpgrade(): void {
    if (this.upgradePoll) return;
    this.upgradePoll = setTimeout(() => {
      this.upgradePoll = null;
      if (this.app?.phase === 'upgrading') void this.refreshApp();
    }, STATUS_POLL_MS);
  }

  private startPolling(): void {
    if (this.polling) return;
    void this.refreshStatus();
    this.polling = setInterval(() => void this.refreshStatus(), STATUS_POLL_MS);
  }

  private stopPolling(): void {
    if (this.polling) clearInterval(this.polling);
    this.polling = null;
  }
}

/** The one store. */
export const store = new Store();
