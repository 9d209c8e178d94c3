// Live count: each edit schedules a numbered preview request after a short pause (debounce); a
// response is shown only if no newer response has been shown already. The Rust side interrupts
// an older count when a newer request arrives, so stale work stops early too.
import type { PreviewRequest } from "../../bindings/PreviewRequest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import type { Problem } from "../../bindings/Problem";
import { appError, toAppError, type AppError } from "../../ipc";

export const DEBOUNCE_MS = 250;
/** The pause when the last count came from the in-memory engine (it answers in milliseconds,
 * so waiting longer than a keystroke's gap only delays the count). */
export const ENGINE_DEBOUNCE_MS = 70;

/** The pause before asking, after a count made by `engine` (SQL counts keep the longer one). */
export function debounceFor(engine: string | null | undefined): number {
  return engine === "memory" ? ENGINE_DEBOUNCE_MS : DEBOUNCE_MS;
}

export type PreviewState = {
  /** The newest request sent (0: none yet). */
  requested: number;
  /** The newest response shown, if any. */
  response?: PreviewResponse;
  error?: AppError;
  /** A request newer than the shown response is scheduled or in flight. */
  pending: boolean;
  /** The builder's pointers of the conditions waiting for a value: not counted. */
  incomplete?: string[];
  /** When the newest request was sent (ms since the epoch), while its answer is awaited. */
  sentAt?: number;
  /** Stops the count in flight (the "Cancel" beside "Counting on …"). */
  cancel?: () => void;
  /** Counts the current segment again (once the engine has loaded the data). */
  recount?: () => void;
};

/** Shown after the user cancels a count. */
export const CANCELLED_MESSAGE = "Count cancelled. Change the segment to count again.";

export class PreviewSequencer {
  /** Request ids start from the clock, so they keep increasing across page reloads (the Rust
   * side cancels any request older than the newest it has seen). */
  private next: number;
  private shown = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The request the user cancelled: its answer, if one still comes, is not shown. */
  private cancelledId = -1;
  state: PreviewState = { requested: 0, pending: false };

  constructor(
    private send: (request: PreviewRequest) => Promise<PreviewResponse>,
    private onChange: (state: PreviewState) => void,
    /** The pause before asking: fixed, or chosen at each edit (e.g. by the last count's engine). */
    private delayMs: number | (() => number) = DEBOUNCE_MS,
    firstId = Date.now(),
  ) {
    this.next = firstId;
  }

  private set(patch: Partial<PreviewState>) {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }

  /** Schedule a preview of `request` (its request_id is assigned here). */
  schedule(request: Omit<PreviewRequest, "request_id">) {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.set({ pending: true });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fire(request);
    }, typeof this.delayMs === "function" ? this.delayMs() : this.delayMs);
  }

  private async fire(request: Omit<PreviewRequest, "request_id">) {
    const id = ++this.next;
    this.set({ requested: id, pending: true, sentAt: Date.now() });
    try {
      const response = await this.send({ ...request, request_id: id });
      this.accept(id, { response, error: undefined });
    } catch (e) {
      const error = toAppError(e);
      if (error.kind === "cancelled") return; // a newer request took over
      this.accept(id, { error });
    }
  }

  private accept(id: number, patch: Partial<PreviewState>) {
    if (id < this.shown || id === this.cancelledId) return; // older than what is on screen, or cancelled: drop it
    this.shown = id;
    const newest = id === this.next;
    this.set({ ...patch, pending: !newest || this.timer !== undefined, ...(newest ? { sentAt: undefined } : {}) });
  }

  /** Stops the scheduled or running count: `stop` asks the data source to cancel the running
   * statement; the panel says the count was cancelled until the next edit. */
  cancel(stop: () => unknown) {
    if (!this.state.pending) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state.sentAt !== undefined) {
      this.cancelledId = this.next;
      void Promise.resolve()
        .then(stop)
        .catch(() => undefined);
    }
    this.set({ pending: false, sentAt: undefined, error: appError("cancelled", CANCELLED_MESSAGE) });
  }

  dispose() {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

const AS_OF = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?$/;

/** The "as of" field's text, ISO and read as UTC ("2024-05-01 12:00", "2024-05-01", a T for
 * the space too) → RFC 3339; null when empty (the data's own default); undefined when it is
 * not (yet) a date, so a half-typed value is not sent. */
export function asOfToRfc3339(v: string): string | null | undefined {
  const t = v.trim();
  if (!t) return null;
  const m = AS_OF.exec(t);
  if (!m) return undefined;
  return `${m[1]}T${m[2] ?? "00:00"}${m[3] ?? ":00"}Z`;
}

/** An RFC 3339 instant as the "as of" field shows it: "2026-11-01 00:00"; "" for none. */
export function isoAsOf(rfc3339: string | null | undefined): string {
  return rfc3339 ? rfc3339.slice(0, 16).replace("T", " ") : "";
}

/** The problems to show at the nodes: the newest preview's, or its failure when the failure is
 * about one node (a raw SQL condition the database refuses). A failure is newer than the shown
 * response, so that response's problems are stale and not shown. */
export function shownProblems(preview: PreviewState): Problem[] {
  if (preview.error) return preview.error.path ? [{ path: preview.error.path, message: `SQL error: ${preview.error.message}` }] : [];
  return preview.response?.problems ?? [];
}

/** The "as of" field after a data source loads: the demo data's end date on the demo data, the
 * clock (empty) on any other; a reload of the same file keeps what the user typed. */
export function asOfAfterLoad(typed: string, defaultNow: string | null, samePath: boolean): string {
  return samePath && !defaultNow ? typed : samePath && typed && typed !== isoAsOf(defaultNow) ? typed : isoAsOf(defaultNow);
}
