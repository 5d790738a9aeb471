import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Child } from "hono/jsx";
import { parseAllDocuments, stringify } from "yaml";
import { gate, isGateId, MAX_MESSAGE_LENGTH } from "../approvals/routes";
import { listApprovals } from "../approvals/store";
import { authorize, hasNamespace, hasScope, type Principal, principalKey } from "../auth/principal";
import { applyBindings } from "../bindings/apply";
import { dryRunBinding, dryRunInputSchema } from "../bindings/dry-run";
import { getBinding, listBindings } from "../bindings/store";
import { findEvent, loadPayloadText, replayEvent } from "../events/replay";
import { EVENT_OUTCOMES, type EventOutcome, getEvent, listEvents, listResults } from "../events/store";
import type { AppEnv } from "../lib/context";
import { AppError } from "../lib/errors";
import { isEventId } from "../lib/ids";
import { assertNamespace, assertObjectName } from "../lib/names";
import { parseWith } from "../lib/validation";
import { enqueueDeliveries } from "../notifications/consumer";
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  getDelivery,
  listDeliveries,
  resetDelivery,
} from "../notifications/store";
import { CONSOLE_CSS } from "./assets";
import { Layout } from "./layout";
import {
  ApprovalPage,
  ApprovalsPage,
  BindingPage,
  BindingsPage,
  DeliveriesPage,
  type DryRun,
  ErrorPage,
  EventDetailPage,
  EventsPage,
  LoginPage,
  NamespaceChooser,
  OverviewPage,
} from "./pages/pages";
import { eventsPerMinute, failedDeliveries, knownNamespaces, outcomeCounts, pendingApprovals } from "./queries";
import { readSession, SESSION_COOKIE, SESSION_SECONDS, type Session, signIn, validCsrf } from "./session";

type UiEnv = AppEnv & { Variables: { session: Session | undefined } };
type UiContext = Context<UiEnv>;

/** A strict policy: no scripts at all, styles from our own stylesheet, forms only to ourselves. */
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const securityHeaders = createMiddleware<UiEnv>(async (c, next) => {
  await next();
  c.res.headers.set("content-security-policy", CSP);
  c.res.headers.set("x-frame-options", "DENY");
  c.res.headers.set("x-content-type-options", "nosniff");
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts.
  c.res.headers.set("referrer-policy", "same-origin");
  if (!c.req.path.startsWith("/ui/assets/")) c.res.headers.set("cache-control", "no-store");
});

/** Resolves the session; pages need one (else the login page), and every form post its CSRF token. */
const sessions = createMiddleware<UiEnv>(async (c, next) => {
  const session = await readSession(c.env.DB, c.env, getCookie(c, SESSION_COOKIE));
  c.set("session", session ?? undefined);
  if (!session) return c.redirect("/ui/login", 303);
  if (c.req.method === "POST") {
    const origin = c.req.header("origin");
    if (origin && origin !== new URL(c.req.url).origin)
      throw new AppError("permission_denied", "cross-site form posts are refused");
    const form = await c.req.parseBody();
    if (!validCsrf(session, form._csrf))
      throw new AppError(
        "permission_denied",
        "the form's CSRF token is missing or wrong; reload the page and try again",
      );
  }
  await next();
});

function page(c: UiContext, title: string, body: Child, options: { status?: number; namespace?: string } = {}) {
  const session = c.get("session");
  return c.html(
    <Layout
      title={title}
      {...(session ? { principal: session.principal, csrf: session.csrf } : {})}
      {...(options.namespace ? { namespace: options.namespace } : {})}
    >
      {body}
    </Layout>,
    (options.status ?? 200) as 200,
  );
}

function principalOf(c: UiContext): Principal {
  const session = c.get("session");
  if (!session) throw new AppError("unauthenticated", "sign in first");
  return session.principal;
}

async function form(c: UiContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])),
  );
}

/** Sends a principal with one namespace straight there; others choose. */
async function chooseNamespace(
  c: UiContext,
  what: string,
  path: string,
  scope: "events:read" | "bindings:read" | "approvals:read",
) {
  const principal = authorize(principalOf(c), scope);
  const namespaces = await knownNamespaces(c.env.DB, principal);
  if (namespaces.length === 1 && !principal.namespaces.includes("*"))
    return c.redirect(`/ui/namespaces/${namespaces[0]}/${path}`, 303);
  return page(c, what, <NamespaceChooser what={what} path={path} namespaces={namespaces} />);
}

async function bindingPage(
  c: UiContext,
  namespace: string,
  name: string,
  extra: { yaml?: string; saveError?: string; saved?: string; dryRun?: DryRun } = {},
) {
  const principal = authorize(principalOf(c), "bindings:read", namespace);
  const binding = await getBinding(c.env.DB, namespace, name);
  if (!binding && extra.yaml === undefined)
    throw new AppError("not_found", `workfloweventbinding "${name}" not found in namespace "${namespace}"`);
  const session = c.get("session") as Session;
  return page(
    c,
    `Binding ${name}`,
    <BindingPage
      namespace={namespace}
      name={name}
      yaml={extra.yaml ?? stringify(binding)}
      csrf={session.csrf}
      canEdit={hasScope(principal, "bindings:write")}
      {...(extra.saveError ? { saveError: extra.saveError } : {})}
      {...(extra.saved ? { saved: extra.saved } : {})}
      dryRun={extra.dryRun ?? { payload: '{\n  "message": "hello"\n}', discriminator: "", metadata: "{}" }}
    />,
    { status: extra.saveError ? 400 : 200, namespace },
  );
}

async function approvalPage(c: UiContext, namespace: string, id: string, error?: string) {
  const principal = authorize(principalOf(c), "approvals:read", namespace);
  const view = isGateId(id) ? await gate(c.env, id).read() : null;
  if (!view || view.namespace !== namespace)
    throw new AppError("not_found", `approval "${id.slice(0, 60)}" not found in namespace "${namespace}"`);
  const session = c.get("session") as Session;
  return page(
    c,
    `Approval ${view.policy}`,
    <ApprovalPage
      gate={view}
      csrf={session.csrf}
      canDecide={hasScope(principal, "approvals:decide")}
      {...(error ? { error } : {})}
    />,
    {
      status: error ? 409 : 200,
      namespace,
    },
  );
}

const signedIn = new Hono<UiEnv>()
  .use(sessions)
  .get("/", async (c) => {
    const principal = principalOf(c);
    const now = Date.now();
    const namespace =
      principal.namespaces.length === 1 && !principal.namespaces.includes("*") ? principal.namespaces[0] : undefined;
    const canEvents = hasScope(principal, "events:read");
    const data = {
      perMinute: canEvents ? await eventsPerMinute(c.env.DB, principal, now, namespace) : [],
      outcomes: canEvents ? await outcomeCounts(c.env.DB, principal, now, namespace) : {},
      pendingApprovals: hasScope(principal, "approvals:read")
        ? await pendingApprovals(c.env.DB, principal, namespace)
        : null,
      failedDeliveries: hasScope(principal, "notifications:write") ? await failedDeliveries(c.env.DB) : null,
      namespace: namespace ?? null,
    };
    return page(c, "Overview", <OverviewPage data={data} principal={principal} />);
  })
  .get("/events", (c) => chooseNamespace(c, "Events", "events", "events:read"))
  .get("/workfloweventbindings", (c) => chooseNamespace(c, "Bindings", "workfloweventbindings", "bindings:read"))
  .get("/approvals", (c) => chooseNamespace(c, "Approvals", "approvals", "approvals:read"))
  .get("/namespaces/:namespace/events", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(principalOf(c), "events:read", namespace);
    const discriminator = c.req.query("discriminator") || undefined;
    const outcomeParam = c.req.query("outcome") || undefined;
    const outcome = (EVENT_OUTCOMES as readonly string[]).includes(outcomeParam ?? "")
      ? (outcomeParam as EventOutcome)
      : undefined;
    const cursor = c.req.query("cursor");
    const events = await listEvents(c.env.DB, {
      namespace,
      limit: 51,
      ...(discriminator ? { discriminator } : {}),
      ...(outcome ? { outcome } : {}),
      ...(cursor && isEventId(cursor) ? { before: cursor } : {}),
    });
    const shown = events.slice(0, 50);
    const results = await listResults(
      c.env.DB,
      shown.map((event) => event.id),
    );
    return page(
      c,
      `Events in ${namespace}`,
      <EventsPage
        namespace={namespace}
        events={shown.map((event) => ({ event, results: results.get(event.id) ?? [] }))}
        filters={{ ...(discriminator ? { discriminator } : {}), ...(outcome ? { outcome } : {}) }}
        nextCursor={events.length > 50 ? (shown.at(-1)?.id ?? null) : null}
      />,
      { namespace },
    );
  })
  .get("/namespaces/:namespace/events/:id", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(principalOf(c), "events:read", namespace);
    const id = c.req.param("id");
    if (c.req.query("queued") === "1" && isEventId(id) && !(await getEvent(c.env.DB, namespace, id))) {
      const queued = (
        <>
          <h1>Event {id}</h1>
          <p class="notice">
            The event is queued and will be in the log within moments.{" "}
            <a href={`/ui/namespaces/${namespace}/events/${id}?queued=1`}>Refresh</a>
          </p>
        </>
      );
      return page(c, `Event ${id}`, queued, { status: 202, namespace });
    }
    const event = await findEvent(c.env.DB, namespace, id);
    const results = (await listResults(c.env.DB, [event.id])).get(event.id) ?? [];
    const payload = await loadPayloadText(c.env.EVENT_BODIES, event);
    const session = c.get("session") as Session;
    const canReplay = hasScope(principal, "events:write") && hasNamespace(principal, namespace);
    return page(
      c,
      `Event ${event.id}`,
      <EventDetailPage event={event} results={results} payload={payload} csrf={session.csrf} canReplay={canReplay} />,
      { namespace },
    );
  })
  .post("/namespaces/:namespace/events/:id/replay", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(principalOf(c), "events:write", namespace);
    const id = await replayEvent(c.env, namespace, c.req.param("id"), principal);
    return c.redirect(`/ui/namespaces/${namespace}/events/${id}?queued=1`, 303);
  })
  .get("/namespaces/:namespace/workfloweventbindings", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(principalOf(c), "bindings:read", namespace);
    const bindings = (await listBindings(c.env.DB, namespace)).map((binding) => ({
      name: binding.metadata.name,
      selector: binding.spec.event.selector,
      template: binding.spec.submit.workflowTemplateRef.name,
      cluster: binding.spec.cluster,
    }));
    return page(c, `Bindings in ${namespace}`, <BindingsPage namespace={namespace} bindings={bindings} />, {
      namespace,
    });
  })
  .get("/namespaces/:namespace/workfloweventbindings/:name", (c) =>
    bindingPage(c, assertNamespace(c.req.param("namespace")), assertObjectName(c.req.param("name"), "binding name")),
  )
  .post("/namespaces/:namespace/workfloweventbindings/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "binding name");
    authorize(principalOf(c), "bindings:write", namespace);
    const yaml = (await form(c)).yaml ?? "";
    try {
      const documents = parseAllDocuments(yaml);
      const list = Array.isArray(documents) ? documents : [documents];
      const problem = list.flatMap((document) => document.errors)[0];
      if (problem) throw new AppError("invalid_argument", `YAML is invalid: ${problem.message.split("\n")[0]}`);
      const objects = list.map((document) => document.toJS({ maxAliasCount: 100 }) as unknown);
      if (objects.length !== 1) throw new AppError("invalid_argument", "the YAML must hold exactly one binding");
      const [result] = await applyBindings(c.env.DB, namespace, objects, { pathName: name });
      return bindingPage(c, namespace, name, {
        saved: `Saved: ${result?.action ?? "applied"} (generation ${result?.binding.metadata.generation ?? "?"}).`,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return bindingPage(c, namespace, name, { yaml, saveError: error.message });
    }
  })
  .post("/namespaces/:namespace/workfloweventbindings/:name/test", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "binding name");
    authorize(principalOf(c), "bindings:read", namespace);
    const fields = await form(c);
    const dryRun: DryRun = {
      payload: fields.payload ?? "",
      discriminator: fields.discriminator ?? "",
      metadata: fields.metadata || "{}",
    };
    try {
      const input = parseWith(dryRunInputSchema, {
        payload: JSON.parse(dryRun.payload) as unknown,
        metadata: JSON.parse(dryRun.metadata) as unknown,
        discriminator: dryRun.discriminator,
      });
      const result = await dryRunBinding(c.env.DB, namespace, name, input);
      if (!result) throw new Error("the binding does not exist");
      dryRun.result = result;
    } catch (error) {
      dryRun.error = `Cannot test: ${error instanceof Error ? error.message : String(error)}`;
    }
    return bindingPage(c, namespace, name, { dryRun });
  })
  .get("/namespaces/:namespace/approvals", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(principalOf(c), "approvals:read", namespace);
    const pending = await listApprovals(c.env.DB, { namespace, status: "pending", limit: 100 });
    const recent = await listApprovals(c.env.DB, { namespace, limit: 100 });
    const others = recent.filter((row) => row.status !== "pending");
    return page(
      c,
      `Approvals in ${namespace}`,
      <ApprovalsPage namespace={namespace} pending={pending} others={others} />,
      { namespace },
    );
  })
  .get("/namespaces/:namespace/approvals/:id", (c) =>
    approvalPage(c, assertNamespace(c.req.param("namespace")), c.req.param("id")),
  )
  .post("/namespaces/:namespace/approvals/:id/decision", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(principalOf(c), "approvals:decide", namespace);
    const id = c.req.param("id");
    const fields = await form(c);
    const message = (fields.message ?? "").slice(0, MAX_MESSAGE_LENGTH);
    if (fields.approve !== "true" && fields.approve !== "false")
      throw new AppError("invalid_argument", "choose Approve or Reject");
    const result = isGateId(id)
      ? await gate(c.env, id).decideManually(namespace, fields.approve === "true", message, principalKey(principal))
      : null;
    if (result && !result.ok) return approvalPage(c, namespace, id, result.message);
    return c.redirect(`/ui/namespaces/${namespace}/approvals/${id}`, 303);
  })
  .get("/notifications/deliveries", async (c) => {
    authorize(principalOf(c), "notifications:write");
    const statusParam = c.req.query("status") || undefined;
    const status = (DELIVERY_STATUSES as readonly string[]).includes(statusParam ?? "")
      ? (statusParam as DeliveryStatus)
      : undefined;
    const cursor = /^(\d+)\.([0-9a-f]{32})$/.exec(c.req.query("cursor") ?? "");
    const rows = await listDeliveries(c.env.DB, {
      limit: 51,
      ...(status ? { status } : {}),
      ...(cursor?.[1] && cursor[2] ? { before: { createdAt: Number(cursor[1]), id: cursor[2] } } : {}),
    });
    const shown = rows.slice(0, 50);
    const last = shown.at(-1);
    const session = c.get("session") as Session;
    return page(
      c,
      "Deliveries",
      <DeliveriesPage
        deliveries={shown}
        {...(status ? { status } : {})}
        csrf={session.csrf}
        nextCursor={rows.length > 50 && last ? `${last.createdAt}.${last.id}` : null}
      />,
    );
  })
  .post("/notifications/deliveries/:id/retry", async (c) => {
    authorize(principalOf(c), "notifications:write");
    const id = c.req.param("id");
    if (!(await getDelivery(c.env.DB, id))) throw new AppError("not_found", "delivery not found");
    if (await resetDelivery(c.env.DB, id)) await enqueueDeliveries(c.env.DB, c.env.NOTIFICATIONS, [id]);
    return c.redirect("/ui/notifications/deliveries", 303);
  })
  .post("/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.redirect("/ui/login", 303);
  });

/** The console at `/ui`: server-rendered, no client-side JavaScript, strict CSP, signed session cookie. */
export const consoleRoutes = new Hono<UiEnv>()
  .use(securityHeaders)
  .get("/assets/console.css", (c) =>
    c.body(CONSOLE_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600" }),
  )
  .get("/login", (c) => page(c, "Sign in", <LoginPage />))
  .post("/login", async (c) => {
    const origin = c.req.header("origin");
    if (origin && origin !== new URL(c.req.url).origin)
      throw new AppError("permission_denied", "cross-site sign-in is refused");
    const token = (await form(c)).token ?? "";
    const cookie = token ? await signIn(c.env.DB, c.env, token) : null;
    if (!cookie) return page(c, "Sign in", <LoginPage error="That token is not valid." />, { status: 401 });
    setCookie(c, SESSION_COOKIE, cookie, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      maxAge: SESSION_SECONDS,
    });
    return c.redirect("/ui", 303);
  })
  .route("/", signedIn);

consoleRoutes.onError((error, c) => {
  const status = error instanceof AppError ? error.status : 500;
  if (!(error instanceof AppError) || status >= 500) console.error("console error", error);
  const message = error instanceof AppError && status < 500 ? error.message : "Internal error.";
  return page(c as UiContext, "Error", <ErrorPage status={status} message={message} />, { status });
});
