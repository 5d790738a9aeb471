import type { Context, Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../auth/context";
import { authorize, GLOBAL, type Principal, requirePrincipal, type Scope } from "../auth/principal";
import { assertNamespace } from "../lib/names";
import { parseWith } from "../lib/validation";

/**
 * One declaration per route: method, path, who may call it, its request and response schemas,
 * summary and tag, beside its handler. Everything else is derived from the declarations — the
 * access check (run here, before the handler: route files never authorize), the OpenAPI document
 * (http/openapi.ts), the scope table in docs/security.md and the route × scope test. A handler
 * gets the principal the rule admitted (and the path's namespace, checked), and the query parsed
 * with the declared schema; it parses its body with the declared body schema (through the
 * service it calls) and answers with the declared response.
 */

/** Who may call a route. */
export type Access =
  /** Anyone: the route authenticates itself (OAuth client credentials, capability URIs, signatures) or is public. */
  | { access: "public" }
  /** Any valid credential. */
  | { access: "signed-in" }
  /** `scope`, in the namespace of the path. */
  | NamespaceAccess
  /** `scope`, with `namespaces: ["*"]` (global objects, or everything at once). */
  | { access: "global"; scope: Scope }
  /** `scope` in any namespace; what is shown or touched is limited to the caller's namespaces. */
  | { access: "filtered"; scope: Scope };

export interface NamespaceAccess {
  access: "namespace";
  scope: Scope;
}

/** The access rules, as declarations write them. */
export const can = {
  anyone: { access: "public" } as const,
  signedIn: { access: "signed-in" } as const,
  inNamespace: (scope: Scope): NamespaceAccess => ({ access: "namespace", scope }),
  everywhere: (scope: Scope): Access => ({ access: "global", scope }),
  inOwnNamespaces: (scope: Scope): Access => ({ access: "filtered", scope }),
  admin: { access: "global", scope: "admin" } as Access,
};

/** How an access rule reads in docs/security.md and the API docs. */
export function describeAccess(access: Access): string {
  switch (access.access) {
    case "public":
      return "—";
    case "signed-in":
      return "any credential";
    case "namespace":
      return `\`${access.scope}\` in the namespace`;
    case "global":
      return access.scope === "admin" ? "`admin`" : `\`${access.scope}\`, namespaces \`["*"]\``;
    case "filtered":
      return `\`${access.scope}\` (own namespaces only)`;
  }
}

export type Method = "GET" | "PUT" | "POST" | "DELETE";
export type Tag = "gateway" | "events" | "bindings" | "clusters" | "approvals" | "notifications" | "access" | "console";

/**
 * Ways a caller proves who it is besides a bearer token (OpenAPI security schemes): the events
 * route's webhook clients, and the signed deliveries of Slack apps and GitHub Apps.
 */
export type SignatureScheme =
  | "githubSignature"
  | "githubAppSignature"
  | "slackSignature"
  | "gitlabToken"
  | "bitbucketSignature"
  | "hooklineSignature"
  | "standardWebhooks";

/** What a 2xx answer carries: a JSON body of a schema, nothing (204), or a page. */
export type ResponseBody = z.ZodType | "empty" | "html" | "json";

export interface RouteSpec<Q extends z.ZodType | undefined = z.ZodType | undefined> {
  method: Method;
  /** Hono's path syntax (`/api/v1/namespaces/:namespace/…`). */
  path: string;
  access: Access;
  summary: string;
  tag: Tag;
  /** The query, parsed before the handler runs. */
  query?: Q;
  /** The body (JSON, or YAML for management objects), parsed by the service the handler calls. */
  body?: z.ZodType;
  /** Management objects also come as YAML (one object or a list). */
  yaml?: boolean;
  /** Each 2xx answer by status. */
  responses: Partial<Record<200 | 201 | 202 | 204 | 302 | 303, ResponseBody>>;
  /** Besides a bearer token: signed webhook clients (the events route) — how they read in the OpenAPI document… */
  signatures?: readonly SignatureScheme[];
  /** …and who signed the request when it carries no bearer token (then the access rule applies to them). */
  signedSender?: (c: Context<AppEnv>) => Promise<Principal | undefined>;
}

type QueryOf<Q> = Q extends z.ZodType ? z.output<Q> : undefined;

/** What every handler is given besides who was admitted: the parsed query and the path's parameters. */
interface Request<Q> {
  query: QueryOf<Q>;
  /** A parameter of the declared path (always there: the path matched). */
  param(name: string): string;
}

/** What a route's handler is given: who was admitted, where, and the parsed query. */
export interface Admitted<Q> extends Request<Q> {
  principal: Principal;
}
export interface AdmittedIn<Q> extends Admitted<Q> {
  /** The path's namespace (a valid DNS-1123 label the principal may act in). */
  namespace: string;
}
export interface Anyone<Q> extends Request<Q> {
  /** The caller's principal when it sent credentials anyway (public routes authenticate themselves). */
  principal: Principal | undefined;
}

type Handler<I> = (c: Context<AppEnv>, input: I) => Response | Promise<Response>;

/** A declared route: its declaration and its handler. */
export interface Route {
  spec: RouteSpec;
  run(c: Context<AppEnv>): Promise<Response>;
}

/** Declares a route (the handler runs only for callers its access rule admits). */
export function route<Q extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<Q> & { access: NamespaceAccess },
  handler: Handler<AdmittedIn<Q>>,
): Route;
export function route<Q extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<Q> & { access: { access: "public" } },
  handler: Handler<Anyone<Q>>,
): Route;
export function route<Q extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<Q>,
  handler: Handler<Admitted<Q>>,
): Route;
export function route<Q extends z.ZodType | undefined>(spec: RouteSpec<Q>, handler: Handler<never>): Route {
  return {
    spec: spec as RouteSpec,
    async run(c) {
      if (spec.signedSender && !c.get("principal")) c.set("principal", await spec.signedSender(c));
      const admitted = admit(spec.access, c);
      // Most calls carry no query (every sender's event): read one only when there is one.
      const query = (
        spec.query ? parseWith(spec.query, c.req.url.includes("?") ? c.req.query() : {}) : undefined
      ) as QueryOf<Q>;
      const param = (name: string) => c.req.param(name) ?? "";
      return (handler as Handler<unknown>)(c, { ...admitted, query, param });
    },
  };
}

/**
 * Checks a route's rule against the request's principal — the one place routes authorize. The
 * namespace of the path is validated first (a bad name is 400, not 403).
 */
function admit(access: Access, c: Context<AppEnv>): { principal: Principal | undefined; namespace?: string } {
  const principal = c.get("principal");
  switch (access.access) {
    case "public":
      return { principal };
    case "signed-in":
      requirePrincipal(principal);
      return { principal };
    case "namespace": {
      const namespace = assertNamespace(c.req.param("namespace") ?? "");
      return { principal: authorize(principal, access.scope, namespace), namespace };
    }
    case "global":
      return { principal: authorize(principal, access.scope, GLOBAL) };
    case "filtered":
      return { principal: authorize(principal, access.scope) };
  }
}

/** Resolves the caller of a request (the API's credentials, the console's session) onto its context. */
export type Identify = (c: Context<AppEnv>) => Promise<void>;

/**
 * Registers declared routes on an app, each as one handler that runs `identify` and then the
 * route (its access check first). One handler, not a middleware and a handler: Hono calls a lone
 * handler directly instead of composing a chain — the events route runs for every event.
 */
export function mount(app: Hono<AppEnv>, routes: readonly Route[], identify: Identify): void {
  for (const declared of routes) {
    // A public route authenticates itself (or is public): no credential lookup on its way in.
    const handler =
      declared.spec.access.access === "public"
        ? (c: Context<AppEnv>) => declared.run(c)
        : async (c: Context<AppEnv>) => {
            await identify(c);
            return declared.run(c);
          };
    app.on(declared.spec.method, declared.spec.path, handler);
  }
}

/** `METHOD /path`, as the scope table and Hono's route list name a route. */
export function routeKey(spec: Pick<RouteSpec, "method" | "path">): string {
  return `${spec.method} ${spec.path}`;
}
