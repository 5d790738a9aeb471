// Expressions Argo users write (from Argo Workflows' events docs, expr-lang's docs, and Argo CD's
// trigger catalog), each with an input and the output expr-lang documents for it. The tests
// evaluate every entry with an expr interpreter (the original semantics) and with the JSONata
// translation, and expect both to give `expected`.

const push = {
  payload: {
    ref: "refs/heads/main",
    after: "59b20b8d5c6f",
    message: "hello events",
    repository: { name: "app", full_name: "acme/app", private: true, topics: ["go", "ci"] },
    pusher: { name: "Ada", email: "ada@example.com" },
    commits: [
      { id: "c1", message: "Fix tests", added: ["a.go"], distinct: true },
      { id: "c2", message: "Bump version", added: [], distinct: false },
    ],
    size: 2,
    labels: { team: "payments", env: "prod" },
    empty: "",
    zero: 0,
    nothing: null,
    tag: "v1.2.3",
  },
  metadata: { "x-github-event": ["push"], "x-argo-e2e": ["true"], "x-github-delivery": ["72d3"] },
  discriminator: "my-discriminator",
  namespace: "argo",
};

export interface ExprCase {
  expr: string;
  env?: Record<string, unknown>;
  expected: unknown;
}

export const EXPR_CORPUS: ExprCase[] = [
  // Argo Workflows' events documentation
  {
    expr: 'payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"',
    expected: true,
  },
  { expr: 'payload.repository.clone_url == ""', expected: false },
  { expr: 'metadata["x-argo"] == ["yes"]', expected: false },
  { expr: 'metadata["x-github-event"] == ["push"]', expected: true },
  { expr: 'discriminator == "my-discriminator"', expected: true },
  { expr: 'payload.message + "-world"', expected: "hello events-world" },
  { expr: '"literal string"', expected: "literal string" },
  // nil semantics
  { expr: 'payload.missing != ""', expected: true },
  { expr: 'payload.missing == ""', expected: false },
  { expr: "payload.missing == nil", expected: true },
  { expr: "payload.nothing == nil", expected: true },
  { expr: "payload.message != nil", expected: true },
  { expr: 'payload.missing ?? "default"', expected: "default" },
  { expr: 'payload.message ?? "default"', expected: "hello events" },
  { expr: "payload.missing?.field == nil", expected: true },
  { expr: "payload.missing == payload.other", expected: true },
  { expr: "payload.empty == payload.missing", expected: false },
  // comparison and logic
  { expr: "payload.size > 1 and payload.size <= 2", expected: true },
  { expr: "payload.size >= 3 || payload.repository.private", expected: true },
  { expr: "not payload.repository.private", expected: false },
  { expr: '!(payload.ref == "refs/heads/dev")', expected: true },
  { expr: 'payload.ref == "refs/heads/main" ? "main" : "other"', expected: "main" },
  { expr: "payload.zero == 0", expected: true },
  { expr: 'payload.pusher.name < "Bob"', expected: true },
  // membership
  { expr: 'payload.ref in ["refs/heads/main", "refs/heads/release"]', expected: true },
  { expr: '"go" in payload.repository.topics', expected: true },
  { expr: '"rust" not in payload.repository.topics', expected: true },
  { expr: '"team" in payload.labels', expected: true },
  { expr: '"owner" in payload.labels', expected: false },
  { expr: '"push" in metadata["x-github-event"]', expected: true },
  // strings
  { expr: 'payload.ref startsWith "refs/heads/"', expected: true },
  { expr: 'payload.ref endsWith "/main"', expected: true },
  { expr: 'payload.repository.full_name contains "acme/"', expected: true },
  { expr: 'payload.tag matches "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"', expected: true },
  { expr: 'payload.pusher.email matches "(?i)@EXAMPLE\\\\.COM$"', expected: true },
  { expr: "lower(payload.pusher.name)", expected: "ada" },
  { expr: "upper(payload.repository.name)", expected: "APP" },
  { expr: 'split(payload.repository.full_name, "/")[1]', expected: "app" },
  { expr: 'join(payload.repository.topics, ",")', expected: "go,ci" },
  { expr: 'trimPrefix(payload.ref, "refs/heads/")', expected: "main" },
  { expr: "len(payload.message)", expected: 12 },
  { expr: 'hasPrefix(payload.tag, "v1.")', expected: true },
  { expr: "payload.after[0:7]", expected: "59b20b8" },
  // arrays and predicates
  { expr: "len(payload.commits)", expected: 2 },
  { expr: "payload.commits[0].id", expected: "c1" },
  { expr: "payload.commits[-1].id", expected: "c2" },
  { expr: "all(payload.commits, {len(.id) == 2})", expected: true },
  { expr: 'any(payload.commits, {.message contains "Fix"})', expected: true },
  { expr: 'none(payload.commits, {.id == "c9"})', expected: true },
  { expr: "one(payload.commits, {.distinct})", expected: true },
  { expr: "count(payload.commits, {.distinct})", expected: 1 },
  { expr: "map(payload.commits, {.id})", expected: ["c1", "c2"] },
  { expr: "len(filter(payload.commits, {len(.added) > 0}))", expected: 1 },
  { expr: 'filter(payload.repository.topics, # != "go")', expected: ["ci"] },
  { expr: "first(payload.repository.topics)", expected: "go" },
  // arithmetic
  { expr: "payload.size * 10 + 1", expected: 21 },
  { expr: "payload.size ** 3", expected: 8 },
  { expr: "7 % 3", expected: 1 },
  { expr: "1..3", expected: [1, 2, 3] },
  // sprig (Argo's expression environment)
  { expr: "sprig.lower(payload.pusher.name)", expected: "ada" },
  { expr: "sprig.upper(payload.repository.name)", expected: "APP" },
  { expr: 'sprig.trim("  padded  ")', expected: "padded" },
  { expr: 'sprig.replace("/", "-", payload.repository.full_name)', expected: "acme-app" },
  { expr: 'sprig.contains("acme", payload.repository.full_name)', expected: true },
  { expr: 'sprig.hasPrefix("refs/", payload.ref)', expected: true },
  { expr: 'sprig.hasSuffix(".3", payload.tag)', expected: true },
  { expr: "sprig.toString(payload.size)", expected: "2" },
  { expr: "sprig.trunc(7, payload.after)", expected: "59b20b8" },
  { expr: 'sprig.default("none", payload.empty)', expected: "none" },
  { expr: "sprig.title(payload.message)", expected: "Hello Events" },
  // Argo CD's notification trigger catalog
  {
    expr: "app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
    env: { app: { status: { operationState: { phase: "Succeeded" }, health: { status: "Healthy" } } } },
    expected: true,
  },
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    env: { app: { status: { health: { status: "Healthy" } } } },
    expected: false,
  },
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    env: { app: { status: { operationState: { phase: "Failed" } } } },
    expected: true,
  },
  {
    expr: "app.status.sync.status == 'Unknown'",
    env: { app: { status: { sync: { status: "Unknown" } } } },
    expected: true,
  },
  {
    expr: "app.status.health.status == 'Degraded'",
    env: { app: { status: { health: { status: "Healthy" } } } },
    expected: false,
  },
];

export const DEFAULT_ENV = push;
