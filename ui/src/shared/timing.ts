// How long an edit takes to become a count on screen, measured in the window: the edit (the
// tree changes), the end of the pause before asking (the request is sent), the answer, and the
// frame after the count's DOM update. Each step is a performance mark; the newest measurements
// are kept for the timing panel and on `window.__segmentTimings` for the end-to-end suite.

export type EditTiming = {
  /** The preview request this measures. */
  requestId: number;
  /** How the count was made ("memory", "sql"), when known. */
  engine: string | null;
  /** From the last edit to the end of the pause (the request is sent). */
  editToDebounceMs: number;
  /** From sending the request to its answer (the IPC round trip and the count). */
  debounceToResponseMs: number;
  /** From the answer to the frame after the count's DOM update. */
  responseToPaintMs: number;
  /** editToDebounceMs + debounceToResponseMs + responseToPaintMs. */
  totalMs: number;
};

/** How many measurements are kept. */
export const KEPT = 20;

type Pending = { edit: number; sent: number; response?: number; engine: string | null };

const round = (ms: number) => Math.round(ms * 10) / 10;

function mark(name: string): number {
  if (typeof performance.mark === "function") {
    try {
      performance.mark(name);
    } catch {
      // marks are a bonus for the browser's profiler; the numbers below do not depend on them
    }
  }
  return performance.now();
}

function measure(name: string, start: string, end: string) {
  if (typeof performance.measure !== "function") return;
  try {
    performance.measure(name, start, end);
  } catch {
    // a mark cleared by the browser's buffer limit: the kept numbers still hold
  }
}

export class EditTimings {
  private lastEdit: number | undefined;
  private pending = new Map<number, Pending>();
  private kept: EditTiming[] = [];
  private listeners = new Set<() => void>();

  constructor(private now: () => number = () => performance.now(), private marks = true) {}

  private at(name: string): number {
    return this.marks ? mark(name) : this.now();
  }

  /** The segment changed (a keystroke, a pick): the newest edit before a request is sent. */
  edited() {
    this.lastEdit = this.at("segment-edit");
  }

  /** The pause ended and request `id` is sent. */
  sent(id: number) {
    const sent = this.at(`segment-sent-${id}`);
    this.pending.set(id, { edit: this.lastEdit ?? sent, sent, engine: null });
  }

  /** Request `id` was answered (its count made by `engine`). */
  answered(id: number, engine: string | null) {
    const p = this.pending.get(id);
    if (!p) return;
    p.response = this.at(`segment-answer-${id}`);
    p.engine = engine;
  }

  /** The count of request `id` is on screen: the measurement is complete. */
  painted(id: number) {
    const p = this.pending.get(id);
    if (!p || p.response === undefined) return;
    const painted = this.at(`segment-painted-${id}`);
    if (this.marks) {
      measure(`segment-wait-${id}`, `segment-sent-${id}`, `segment-answer-${id}`);
      measure(`segment-paint-${id}`, `segment-answer-${id}`, `segment-painted-${id}`);
    }
    for (const older of this.pending.keys()) if (older <= id) this.pending.delete(older);
    const editToDebounceMs = round(p.sent - p.edit);
    const debounceToResponseMs = round(p.response - p.sent);
    const responseToPaintMs = round(painted - p.response);
    this.kept = [
      ...this.kept,
      {
        requestId: id,
        engine: p.engine,
        editToDebounceMs,
        debounceToResponseMs,
        responseToPaintMs,
        totalMs: round(editToDebounceMs + debounceToResponseMs + responseToPaintMs),
      },
    ].slice(-KEPT);
    this.listeners.forEach((l) => l());
  }

  /** The newest measurements, oldest first. */
  list(): EditTiming[] {
    return this.kept;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The window's measurements (one builder per window). */
export const editTimings = new EditTimings();

declare global {
  interface Window {
    /** The newest edit-to-count measurements, oldest first (read by the end-to-end suite). */
    __segmentTimings?: EditTiming[];
  }
}

if (typeof window !== "undefined") {
  Object.defineProperty(window, "__segmentTimings", { get: () => editTimings.list(), configurable: true });
}

/** Calls `then` in the frame after the current DOM update (the count has been laid out). */
export function afterPaint(then: () => void) {
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => then());
  else setTimeout(then, 0);
}

/** Median of a list of numbers (0 for none). */
export function median(values: number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : round((s[m - 1] + s[m]) / 2);
}
