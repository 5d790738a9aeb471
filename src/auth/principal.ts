import { AppError } from "../lib/errors";

/** Every scope an API token can hold (API.md → Auth, and the v1.1 additions). */
export const SCOPES = [
  "events:write",
  "events:read",
  "bindings:read",
  "bindings:write",
  "approvals:read",
  "approvals:create",
  "approvals:decide",
  "notifications:read",
  "notifications:write",
  "admin",
] as const;

export type Scope = (typeof SCOPES)[number];

/** A sender's own ingest rate limit: at most `requests` per `periodSeconds`. */
export interface RateLimit {
  requests: number;
  periodSeconds: number;
}

/** Who is making a request, and what they may do. */
export interface Principal {
  kind: "admin" | "token" | "webhook-client" | "access";
  /** `admin`, the token name, `<namespace>/<client name>`, or the email of a Cloudflare Access identity. */
  name: string;
  scopes: readonly Scope[];
  /** Namespaces the principal may act in; `*` means all. */
  namespaces: readonly string[];
  /** Templates events from this principal may submit; null means any. */
  templates: readonly string[] | null;
  /** The sender's own ingest rate limit; null means the gateway's default. */
  rateLimit: RateLimit | null;
}

export const ADMIN_PRINCIPAL: Principal = {
  kind: "admin",
  name: "admin",
  scopes: ["admin"],
  namespaces: ["*"],
  templates: null,
  rateLimit: null,
};

/** A stable key for per-sender limits and audit fields: `admin`, `token:<name>`, `client:<ns>/<name>`, `email:<addr>`. */
export function principalKey(principal: Principal): string {
  if (principal.kind === "admin") return "admin";
  if (principal.kind === "access") return `email:${principal.name}`;
  return principal.kind === "token" ? `token:${principal.name}` : `client:${principal.name}`;
}

/**
 * True when the principal holds `scope` (the `admin` scope holds every scope). Gateway-wide
 * powers (tokens, clusters, webhook clients, naming Worker secrets) also need `namespaces: ["*"]`:
 * an admin token limited to a namespace is every scope in that namespace, not more.
 */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes("admin") || principal.scopes.includes(scope);
}

/** True for the gateway's administrators: the `admin` scope over every namespace. */
export function isGatewayAdmin(principal: Principal): boolean {
  return hasScope(principal, "admin") && hasAllNamespaces(principal);
}

/** True when the principal may act in `namespace`. */
export function hasNamespace(principal: Principal, namespace: string): boolean {
  return principal.namespaces.includes("*") || principal.namespaces.includes(namespace);
}

/** True when the principal may act in every namespace (`namespaces: ["*"]`). */
export function hasAllNamespaces(principal: Principal): boolean {
  return principal.namespaces.includes("*");
}

/**
 * Where an action happens: one namespace, or everywhere — global objects (notification
 * services, triggers, subscriptions, the notification context) that serve every namespace need
 * a principal with `namespaces: ["*"]`.
 */
export const GLOBAL = Symbol("global");
export type Reach = string | typeof GLOBAL;

/** Throws unauthenticated unless the request presented a credential. */
export function requirePrincipal(principal: Principal | undefined): asserts principal is Principal {
  if (!principal) {
    throw new AppError("unauthenticated", "missing credentials: send Authorization: Bearer <token>", {
      headers: { "www-authenticate": 'Bearer realm="hookline"' },
    });
  }
}

/**
 * Throws unless the principal exists, holds `scope` and (when given) may act where the action
 * happens. Returns the principal so callers can use it without a null check.
 */
export function authorize(principal: Principal | undefined, scope: Scope, reach?: Reach): Principal {
  requirePrincipal(principal);
  if (!hasScope(principal, scope)) {
    throw new AppError("permission_denied", `token lacks the "${scope}" scope`);
  }
  if (reach !== undefined) assertReach(principal, reach);
  return principal;
}

/**
 * Throws unless the principal may act where something is: a namespace, or everywhere. Routes
 * check where they act through their declaration; services check where the data they are given
 * belongs (a posted resource's namespace) here.
 */
export function assertReach(principal: Principal, reach: Reach): void {
  if (reach === GLOBAL && !hasAllNamespaces(principal)) {
    throw new AppError(
      "permission_denied",
      'this object serves every namespace: it needs a token with namespaces ["*"]',
    );
  }
  if (typeof reach === "string" && !hasNamespace(principal, reach)) {
    throw new AppError("permission_denied", `token may not act in namespace "${reach}"`);
  }
}
