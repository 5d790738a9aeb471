/** What a binding's window does (window.ts): its kind, how long it lasts, how many it lets through. */
export type WindowKind = "debounce" | "dedupe" | "throttle";

export interface WindowRule {
  kind: WindowKind;
  periodMs: number;
  /** throttle: how many events of a window submit (dedupe: 1). */
  limit: number;
}
