// Expressions Argo users write (Argo Workflows' events docs, expr-lang's docs, Argo CD's trigger
// catalog, what people write in selectors) and the corners of expr's semantics, each with the
// environment it runs in. What each should give is not written here: the Go oracle
// (test/oracle) evaluates every case with github.com/antonmedv/expr, and hookline's JSONata
// translation must agree — the same value, or an error where expr fails.

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

const APP_DEPLOYED = {
  status: {
    sync: { status: "Synced", revision: "abc123" },
    health: { status: "Healthy", lastTransitionTime: "2026-01-02T03:00:10Z" },
    operationState: { phase: "Succeeded", finishedAt: "2026-01-02T03:00:05Z", syncResult: { revision: "abc123" } },
  },
  metadata: { name: "guestbook", labels: { team: "web" }, annotations: {} },
  spec: { source: { repoURL: "git@github.com:acme/guestbook.git" } },
};

/** Healthy before the sync finished: not yet "deployed". */
const APP_DEPLOYED_EARLY = {
  ...APP_DEPLOYED,
  status: { ...APP_DEPLOYED.status, health: { status: "Healthy", lastTransitionTime: "2026-01-02T02:59:00Z" } },
};

export interface ExprCase {
  expr: string;
  env?: Record<string, unknown>;
}

export const EXPR_CORPUS: ExprCase[] = [
  // Argo Workflows' events documentation
  {
    expr: 'payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"',
  },
  { expr: 'payload.repository.clone_url == ""' },
  { expr: 'metadata["x-argo"] == ["yes"]' },
  { expr: 'metadata["x-github-event"] == ["push"]' },
  { expr: 'discriminator == "my-discriminator"' },
  { expr: 'payload.message + "-world"' },
  { expr: '"literal string"' },
  // nil semantics
  { expr: 'payload.missing != ""' },
  { expr: 'payload.missing == ""' },
  { expr: "payload.missing == nil" },
  { expr: "payload.nothing == nil" },
  { expr: "payload.message != nil" },
  { expr: "payload.missing == payload.other" },
  { expr: "payload.empty == payload.missing" },
  // comparison and logic
  { expr: "payload.size > 1 and payload.size <= 2" },
  { expr: "payload.size >= 3 || payload.repository.private" },
  { expr: "not payload.repository.private" },
  { expr: '!(payload.ref == "refs/heads/dev")' },
  { expr: 'payload.ref == "refs/heads/main" ? "main" : "other"' },
  { expr: "payload.zero == 0" },
  { expr: 'payload.pusher.name < "Bob"' },
  // membership
  { expr: 'payload.ref in ["refs/heads/main", "refs/heads/release"]' },
  { expr: '"go" in payload.repository.topics' },
  { expr: '"rust" not in payload.repository.topics' },
  { expr: '"team" in payload.labels' },
  { expr: '"owner" in payload.labels' },
  { expr: '"push" in metadata["x-github-event"]' },
  // strings
  { expr: 'payload.ref startsWith "refs/heads/"' },
  { expr: 'payload.ref endsWith "/main"' },
  { expr: 'payload.repository.full_name contains "acme/"' },
  { expr: 'payload.tag matches "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"' },
  { expr: 'payload.pusher.email matches "(?i)@EXAMPLE\\\\.COM$"' },
  { expr: "len(payload.message)" },
  { expr: "payload.after[0:7]" },
  // arrays and predicates
  { expr: "len(payload.commits)" },
  { expr: "payload.commits[0].id" },
  { expr: "all(payload.commits, {len(.id) == 2})" },
  { expr: 'any(payload.commits, {.message contains "Fix"})' },
  { expr: 'none(payload.commits, {.id == "c9"})' },
  { expr: "one(payload.commits, {.distinct})" },
  { expr: "count(payload.commits, {.distinct})" },
  { expr: "map(payload.commits, {.id})" },
  { expr: "len(filter(payload.commits, {len(.added) > 0}))" },
  // arithmetic
  { expr: "payload.size * 10 + 1" },
  { expr: "payload.size ** 3" },
  { expr: "7 % 3" },
  { expr: "1..3" },
  // sprig (Argo's expression environment)
  { expr: "sprig.lower(payload.pusher.name)" },
  { expr: "sprig.upper(payload.repository.name)" },
  { expr: 'sprig.trim("  padded  ")' },
  { expr: 'sprig.replace("/", "-", payload.repository.full_name)' },
  { expr: 'sprig.contains("acme", payload.repository.full_name)' },
  { expr: 'sprig.hasPrefix("refs/", payload.ref)' },
  { expr: 'sprig.hasSuffix(".3", payload.tag)' },
  { expr: "sprig.toString(payload.size)" },
  { expr: "sprig.trunc(7, payload.after)" },
  { expr: 'sprig.default("none", payload.empty)' },
  { expr: "sprig.title(payload.message)" },
  // Argo CD's notification trigger catalog
  {
    expr: "app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
    env: { app: { status: { operationState: { phase: "Succeeded" }, health: { status: "Healthy" } } } },
  },
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    env: { app: { status: { health: { status: "Healthy" } } } },
  },
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    env: { app: { status: { operationState: { phase: "Failed" } } } },
  },
  {
    expr: "app.status.sync.status == 'Unknown'",
    env: { app: { status: { sync: { status: "Unknown" } } } },
  },
  {
    expr: "app.status.health.status == 'Degraded'",
    env: { app: { status: { health: { status: "Healthy" } } } },
  },
  // Argo CD's notifications catalog, as published (expr with Argo CD's `time` helpers)
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy' and (!time.Parse(app.status.health.lastTransitionTime).Before(time.Parse(app.status.operationState.finishedAt)))",
    env: { app: APP_DEPLOYED },
  },
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy' and (!time.Parse(app.status.health.lastTransitionTime).Before(time.Parse(app.status.operationState.finishedAt)))",
    env: { app: APP_DEPLOYED_EARLY },
  },
  { expr: "true", env: { app: APP_DEPLOYED } },
  { expr: "app.metadata.deletionTimestamp != nil", env: { app: APP_DEPLOYED } },
  {
    expr: "app.metadata.deletionTimestamp != nil",
    env: { app: { metadata: { deletionTimestamp: "2026-01-02T03:00:00Z" } } },
  },
  { expr: "app.status.operationState.syncResult.revision", env: { app: APP_DEPLOYED } },
  { expr: "app.status.sync.revision", env: { app: APP_DEPLOYED } },
  { expr: "app.metadata.name", env: { app: APP_DEPLOYED } },
  { expr: "app.status.operationState.phase in ['Running']", env: { app: APP_DEPLOYED } },
  { expr: "app.status.operationState.phase in ['Running']", env: { app: { status: {} } } },
  {
    expr: "app.status.operationState != nil and app.status.operationState.phase in ['Running']",
    env: { app: { status: {} } },
  },
  // time, as Argo CD's helpers give it (time.Now() is the oracle's fixed clock: 2026-01-02T03:04:05Z)
  {
    expr: "time.Now().Sub(time.Parse(app.status.operationState.finishedAt)).Minutes() > 1",
    env: { app: APP_DEPLOYED },
  },
  { expr: "time.Now().Sub(time.Parse(app.status.operationState.finishedAt)).Hours() >= 1", env: { app: APP_DEPLOYED } },
  { expr: "time.Now().Sub(time.Parse(app.status.operationState.finishedAt)).Seconds()", env: { app: APP_DEPLOYED } },
  {
    expr: "time.Parse(app.status.operationState.finishedAt).Add(time.Hour).After(time.Now())",
    env: { app: APP_DEPLOYED },
  },
  {
    expr: "time.Parse(app.status.operationState.finishedAt).Add(time.Minute).Before(time.Now())",
    env: { app: APP_DEPLOYED },
  },
  { expr: "time.Parse(app.status.operationState.finishedAt).Format(time.RFC1123)", env: { app: APP_DEPLOYED } },
  { expr: 'time.Parse(app.status.operationState.finishedAt).Format("2006-01-02 15:04")', env: { app: APP_DEPLOYED } },
  { expr: "time.Parse(app.status.operationState.finishedAt).Unix()", env: { app: APP_DEPLOYED } },
  { expr: "time.Parse(app.status.operationState.finishedAt).Year() == 2026", env: { app: APP_DEPLOYED } },
  { expr: "time.Parse(app.status.operationState.finishedAt)", env: { app: APP_DEPLOYED } },
  {
    expr: "time.Parse(app.status.operationState.finishedAt).Sub(time.Parse(app.status.health.lastTransitionTime))",
    env: { app: APP_DEPLOYED },
  },
  {
    expr: "time.Parse(app.status.operationState.finishedAt) == time.Parse(app.status.operationState.finishedAt)",
    env: { app: APP_DEPLOYED },
  },
  {
    expr: 'time.Parse(app.status.operationState.finishedAt).Equal(time.Parse("2026-01-02T05:00:05+02:00"))',
    env: { app: APP_DEPLOYED },
  },
  { expr: "time.Hour", env: { app: APP_DEPLOYED } },
  { expr: "time.Now().Sub(time.Parse(app.status.operationState.finishedAt)) > time.Hour", env: { app: APP_DEPLOYED } },
  { expr: 'time.Parse("not a time")', env: { app: APP_DEPLOYED } },
  { expr: "time.Parse(app.status.missing)", env: { app: APP_DEPLOYED } },
  { expr: "strings.ToUpper(app.metadata.name)", env: { app: APP_DEPLOYED } },
  { expr: "strings.ToLower('ABC')", env: { app: APP_DEPLOYED } },
  { expr: 'strings.ReplaceAll(app.metadata.name, "book", "BOOK")', env: { app: APP_DEPLOYED } },
  // Argo Workflows' documented selectors and what people write for GitHub, GitLab and CI
  { expr: 'discriminator == "github" && metadata["x-github-event"] == ["push"] && payload.ref == "refs/heads/main"' },
  { expr: 'metadata["x-github-event"][0] == "push"' },
  { expr: 'metadata["x-github-delivery"][0] != ""' },
  { expr: 'payload.repository.name == "app" && payload.pusher.email endsWith "@example.com"' },
  { expr: 'payload.ref matches "^refs/tags/v[0-9]+"' },
  { expr: 'payload.ref matches "^refs/heads/(main|release/.*)$"' },
  { expr: 'payload.tag matches "^v[[:digit:]]+\\\\.[[:digit:]]+"' },
  { expr: 'payload.repository.name matches "^[[:alpha:]]+$"' },
  { expr: 'payload.message matches "\\\\bevents\\\\b"' },
  { expr: 'any(payload.commits, {any(.added, {# endsWith ".go"})})' },
  { expr: 'all(payload.commits, {.id startsWith "c"})' },
  { expr: 'none(payload.commits, {.message contains "WIP"})' },
  { expr: 'one(payload.commits, {.id == "c2"})' },
  { expr: "map(payload.commits, {len(.added)})" },
  { expr: "filter(payload.commits, {.distinct})" },
  { expr: "map(filter(payload.commits, {.distinct}), {.id})" },
  { expr: "count(payload.commits, {len(.added) == 0})" },
  { expr: "len(payload.labels)" },
  { expr: "len(payload.repository.topics) > 1" },
  { expr: "payload.labels.team" },
  { expr: 'payload.labels["env"]' },
  { expr: 'payload.labels["missing"]' },
  { expr: 'payload.labels["missing"] == nil' },
  { expr: "payload.commits[1].message" },
  { expr: "payload.commits[5].message" },
  { expr: "payload.commits[0].added[0]" },
  { expr: "payload.repository.topics[1]" },
  { expr: 'payload.after[0:7] == "59b20b8"' },
  { expr: "payload.repository.topics[0:1]" },
  // nil and missing values
  { expr: "payload.missing" },
  { expr: "payload.nothing" },
  { expr: "payload.missing.field" },
  { expr: "payload.nothing.field" },
  { expr: "payload.message.field" },
  { expr: "payload.commits.id" },
  { expr: "payload.missing == nil && payload.nothing == nil" },
  { expr: 'payload.nothing == ""' },
  { expr: "payload.nothing != nil" },
  { expr: 'payload.missing in ["a", "b"]' },
  { expr: "payload.empty == nil" },
  { expr: "payload.zero == nil" },
  { expr: "not (payload.missing == nil)" },
  // numbers and strings
  { expr: "payload.size == 2" },
  { expr: "payload.size == 2.0" },
  { expr: "payload.size + 1" },
  { expr: "payload.size / 4" },
  { expr: "payload.size * 1.5" },
  { expr: "payload.size - 3" },
  { expr: "-payload.size" },
  { expr: "payload.size > 1.5" },
  { expr: '"2" == payload.size' },
  { expr: 'payload.size + "x"' },
  { expr: 'payload.message + " from " + payload.pusher.name' },
  { expr: "10 % 4 == 2" },
  { expr: "2 ** 10" },
  { expr: "1 + 2 * 3" },
  { expr: "(1 + 2) * 3" },
  { expr: "1 < 2 && 2 < 3" },
  { expr: '"abc" < "abd"' },
  { expr: '"10" < "9"' },
  { expr: "payload.size in [1, 2, 3]" },
  { expr: "payload.size not in [1, 3]" },
  { expr: "3 in 1..5" },
  { expr: "len(1..5)" },
  { expr: 'payload.zero ? "yes" : "no"' },
  { expr: 'payload.size > 1 ? payload.repository.name : "small"' },
  { expr: 'payload.repository.private ? "private" : "public"' },
  { expr: "true && !false" },
  { expr: "false || payload.repository.private" },
  { expr: "payload.repository.private and not payload.commits[1].distinct" },
  // strings operators
  { expr: '"events" in payload.message' },
  { expr: 'payload.message contains "events"' },
  { expr: 'payload.message startsWith "hello"' },
  { expr: 'not (payload.message endsWith "hello")' },
  { expr: 'payload.repository.full_name matches "^acme/"' },
  { expr: 'payload.ref matches "refs/heads/(?P<branch>.+)"' },
  { expr: 'payload.pusher.name matches "^[A-Z][a-z]+$"' },
  // maps and arrays as values
  { expr: "payload.labels" },
  { expr: "payload.repository.topics" },
  { expr: '{"a": 1, "b": payload.size}' },
  { expr: '["x", payload.ref]' },
  { expr: '{"a": 1}.a' },
  { expr: '"team" in payload.labels && payload.labels.team == "payments"' },
  { expr: 'payload.labels == {"team": "payments", "env": "prod"}' },
  { expr: 'payload.repository.topics == ["go", "ci"]' },
  // sprig, as Argo Workflows puts it in the environment
  { expr: 'sprig.trimSuffix(".git", "https://github.com/acme/app.git")' },
  { expr: 'sprig.trimPrefix("refs/heads/", payload.ref)' },
  { expr: 'sprig.splitList("/", payload.repository.full_name)' },
  { expr: 'sprig.join("-", payload.repository.topics)' },
  { expr: "sprig.substr(0, 3, payload.repository.full_name)" },
  { expr: "sprig.empty(payload.empty) && !sprig.empty(payload.ref)" },
  { expr: 'sprig.default("fallback", payload.missing)' },
  { expr: "sprig.toJson(payload.labels)" },
  { expr: "sprig.quote(payload.ref)" },
  // errors expr reports
  { expr: 'payload.ref matches "["' },
  { expr: "payload.size +" },
  { expr: "payload.size == 1 ==" },
  { expr: "len(payload.size)" },
  { expr: 'payload.size in "abc"' },
  { expr: 'payload.ref matches "refs\\.heads"' },
  { expr: '"tab\\there" contains "\\t"' },
  { expr: "'single \\'quoted\\'' == \"single 'quoted'\"" },
];

export const DEFAULT_ENV = push;

/**
 * What later expr-lang releases (the ones current Argo versions embed) added after the version
 * Debian packages, so the oracle cannot judge them: `??`, `?.`, the string builtins, negative
 * indexes, predicates without braces. Their values are the ones expr-lang documents.
 */
export const NEWER_EXPR: Array<ExprCase & { expected: unknown }> = [
  { expr: "10 / 4", expected: 2.5 },
  { expr: 'payload.missing ?? "default"', expected: "default" },
  { expr: 'payload.message ?? "default"', expected: "hello events" },
  { expr: "payload.missing?.field == nil", expected: true },
  { expr: "lower(payload.pusher.name)", expected: "ada" },
  { expr: "upper(payload.repository.name)", expected: "APP" },
  { expr: 'split(payload.repository.full_name, "/")[1]', expected: "app" },
  { expr: 'join(payload.repository.topics, ",")', expected: "go,ci" },
  { expr: 'trimPrefix(payload.ref, "refs/heads/")', expected: "main" },
  { expr: 'hasPrefix(payload.tag, "v1.")', expected: true },
  { expr: "payload.commits[-1].id", expected: "c2" },
  { expr: 'filter(payload.repository.topics, # != "go")', expected: ["ci"] },
  { expr: "first(payload.repository.topics)", expected: "go" },
];
