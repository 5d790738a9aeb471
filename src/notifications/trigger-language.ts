import type { ExprOptions } from "../expressions/expr/translate";

/** What trigger expressions see: the resource as `app` (Argo CD's name) and the context values. */
export const TRIGGER_ROOTS = ["app", "context"] as const;

/**
 * How Argo CD evaluates a trigger's expr fields (notifications-engine): over a Kubernetes
 * object and a map of strings, and a `oncePer` is kept as Go prints its value (`%v`).
 */
export function triggerExprOptions(field: "when" | "oncePer"): ExprOptions {
  return { environment: "argocd", print: field === "oncePer" };
}
