import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Child } from "hono/jsx";
import { stringify } from "yaml";
import { mayDecide, mayOverride, principalDecider } from "../approvals/approvers";
import { decideApproval, readAudit, readGate } from "../approvals/decide";
import { listApprovalPage } from "../approvals/listing";
import { countPendingGates } from "../approvals/store";
import type { AppEnv } from "../auth/context";
import { hasAllNamespaces, hasNamespace, hasScope, type Principal } from "../auth/principal";
import { applyBinding, bindingList, setBindingPaused } from "../bindings/bindings";
import { dryRunBinding } from "../bindings/dry-run";
import { getBinding } from "../bindings/store";
import { clusterList } from "../clusters/clusters";
import { listNamespaces } from "../discovery/namespace-list";
import { eventsPerMinute, outcomeCounts } from "../events/counts";
import { listTombstones } from "../events/graveyard";
import { eventDetail, listEventPage } from "../events/log";
import { lookupEvent, replayEvent } from "../events/replay";
import { eventLogsOf } from "../events/shards";
import { loggedNamespaces } from "../events/store";
import { type Access, can, mount, route } from "../http/route";
import { documentsOf } from "../lib/documents";
import { AppError } from "../lib/errors";
import { isEventId } from "../lib/ids";
import { log } from "../lib/log";
import { assertObjectName } from "../lib/names";
import { scopeOfNamespaces } from "../lib/namespace-scope";
import { listDeliveryPage, retryDelivery } from "../notifications/deliveries";
import { countFailedDeliveries, listObjects, triggersByTemplate } from "../notifications/store";
import { type TemplateSpec, templateFields } from "../notifications/templates";
import { CONSOLE_CSS } from "./assets";
import { Layout, PAGE_SECURITY_HEADERS } from "./layout";
import { ApprovalPage } from "./pages/approval";
import { ApprovalsPage } from "./pages/approvals";
import { BindingPage, type DryRun } from "./pages/binding";
import { BindingsPage } from "./pages/bindings";
import { ClustersPage } from "./pages/clusters";
import { DeadLettersPage } from "./pages/dead-letters";
import { DeliveriesPage } from "./pages/deliveries";
import { ErrorPage } from "./pages/error";
import { EventDetailPage } from "./pages/event";
import { EventsPage } from "./pages/events";
import { LoginPage } from "./pages/login";
import { NamespaceChooser } from "./pages/namespace-chooser";
import { OverviewPage } from "./pages/overview";
import { TemplatePage, TemplatesPage } from "./pages/templates";
import { readSession, SESSION_COOKIE, SESSION_SECONDS, type Session, signIn, validCsrf } from "./session";

type UiEnv = AppEnv;
type UiContext = Context<UiEnv>;

/** Stored notification templates with their fields and the triggers that send them, as the console lists them. */
async function templateItems(db: D1Database) {
  const [templates, senders] = await Promise.all([
    listObjects<TemplateSpec>(db, "notification_templates"),
    triggersByTemplate(db),
  ]);
  return templates.map(({ name, object }) => ({
    name,
    fields: templateFields(object),
    triggers: senders.get(name) ?? [],
  }));
}

const PAGE_SIZE = 50;

const securityHeaders = createMiddleware<UiEnv>(async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) c.res.headers.set(name, value);
  if (!c.req.path.startsWith("/ui/assets/")) c.res.headers.set("cache-control", "no-store");
});

/**
 * Resolves the console session (a cookie, or a Cloudflare Access assertion) and its principal;
 * every form post of a session must carry its CSRF token. Pages without a session answer with the
 * sign-in page (the console's error handler turns `unauthenticated` into a redirect).
 */
/** The console's `identify`: the session (cookie or Cloudflare Access), and a form post's origin and CSRF token. */
async function sessions(c: UiContext): Promise<void> {
  const session = await readSession(c.env, getCookie(c, SESSION_COOKIE), c.req.header("cf-access-jwt-assertion"));
  c.set("session", session ?? undefined);
  c.set("principal", session?.principal);
  if (session && c.req.method === "POST") {
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
}

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

function sessionOf(c: UiContext): Session {
  const session = c.get("session");
  if (!session) throw new AppError("unauthenticated", "sign in first");
  return session;
}

async function form(c: UiContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])),
  );
}

/** The page's query without empty values (filter forms send empty fields), with the console's page size. */
function listQuery(c: UiContext): Record<string, string> {
  const query = Object.entries(c.req.query()).filter(([, value]) => value !== "");
  return { limit: String(PAGE_SIZE), ...Object.fromEntries(query) };
}

const KNOWN_NAMESPACES_LIMIT = 200;

/**
 * The namespaces a principal chooses from: its own, or — for `*` — those that hold something
 * (discovery/namespace-list.ts) or have events in the log.
 */
async function knownNamespaces(env: Env, principal: Principal): Promise<string[]> {
  if (!hasAllNamespaces(principal)) return [...principal.namespaces].sort();
  const answers = await Promise.all([
    listNamespaces(env.DB),
    ...eventLogsOf(env).map((log) => loggedNamespaces(log, KNOWN_NAMESPACES_LIMIT)),
  ]);
  return [...new Set(answers.flat())].sort().slice(0, KNOWN_NAMESPACES_LIMIT);
}

/** Sends a principal with one namespace straight there; others choose. */
async function chooseNamespace(c: UiContext, principal: Principal, what: string, path: string) {
  const namespaces = await knownNamespaces(c.env, principal);
  if (namespaces.length === 1 && !hasAllNamespaces(principal))
    return c.redirect(`/ui/namespaces/${namespaces[0]}/${path}`, 303);
  return page(c, what, <NamespaceChooser what={what} path={path} namespaces={namespaces} />);
}

async function bindingPage(
  c: UiContext,
  principal: Principal,
  namespace: string,
  name: string,
  extra: { yaml?: string; saveError?: string; saved?: string; dryRun?: DryRun; status?: number } = {},
) {
  const binding = await getBinding(c.env.DB, namespace, name);
  if (!binding && extra.yaml === undefined)
    throw new AppError("not_found", `workfloweventbinding "${name}" not found in namespace "${namespace}"`);
  return page(
    c,
    `Binding ${name}`,
    <BindingPage
      namespace={namespace}
      name={name}
      yaml={extra.yaml ?? stringify(binding)}
      csrf={sessionOf(c).csrf}
      canEdit={hasScope(principal, "bindings:write")}
      paused={binding?.spec.paused === true}
      {...(extra.saveError ? { saveError: extra.saveError } : {})}
      {...(extra.saved ? { saved: extra.saved } : {})}
      dryRun={extra.dryRun ?? { payload: '{\n  "message": "hello"\n}', discriminator: "", metadata: "{}" }}
    />,
    { status: extra.status ?? 200, namespace },
  );
}

async function approvalPage(c: UiContext, principal: Principal, namespace: string, id: string, refusal?: AppError) {
  const [view, audit] = await Promise.all([readGate(c.env, namespace, id), readAudit(c.env, namespace, id)]);
  const decider = principalDecider(principal, "console");
  return page(
    c,
    `Approval ${view.policy}`,
    <ApprovalPage
      gate={view}
      audit={audit.items}
      csrf={sessionOf(c).csrf}
      canDecide={hasScope(principal, "approvals:decide") && mayDecide(view.manual, decider)}
      canOverride={
        hasScope(principal, "approvals:decide") && view.hold !== null && mayOverride(view.overrideApprovers, decider)
      }
      {...(refusal ? { error: refusal.message } : {})}
    />,
    { status: refusal?.status ?? 200, namespace },
  );
}

/** A form's JSON field, or an invalid_argument naming the field. */
function jsonField(value: string, field: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new AppError("invalid_argument", `${field} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A console page: its path under `/ui`, who may see it, and what it shows. */
const consolePage = <A extends Access>(
  method: "GET" | "POST",
  path: string,
  access: A,
  summary: string,
  answers: "html" | "redirect" = "html",
) => ({
  method,
  path: `/ui${path}`,
  access,
  summary,
  tag: "console" as const,
  responses: answers === "html" ? { 200: "html" as const } : { 303: "empty" as const },
});

/** The pages of signed-in people (a session, or a Cloudflare Access identity). */
const signedInPages = [
  route(consolePage("GET", "", can.signedIn, "Overview"), async (c, { principal }) => {
    const now = Date.now();
    const namespace =
      principal.namespaces.length === 1 && !hasAllNamespaces(principal) ? principal.namespaces[0] : undefined;
    const canEvents = hasScope(principal, "events:read");
    const scope = namespace ? [namespace] : scopeOfNamespaces(principal.namespaces);
    const logs = eventLogsOf(c.env, namespace);
    const data = {
      perMinute: canEvents ? await eventsPerMinute(logs, scope, now) : [],
      outcomes: canEvents ? Object.fromEntries(await outcomeCounts(logs, scope, now)) : {},
      pendingApprovals: hasScope(principal, "approvals:read") ? await countPendingGates(c.env.DB, scope) : null,
      failedDeliveries: hasScope(principal, "notifications:read")
        ? await countFailedDeliveries(c.env.DB, scopeOfNamespaces(principal.namespaces))
        : null,
      namespace: namespace ?? null,
    };
    return page(c, "Overview", <OverviewPage data={data} principal={principal} />);
  }),
  route(
    consolePage("GET", "/events", can.inOwnNamespaces("events:read"), "Events: choose a namespace"),
    (c, { principal }) => chooseNamespace(c, principal, "Events", "events"),
  ),
  route(
    consolePage("GET", "/workfloweventbindings", can.inOwnNamespaces("bindings:read"), "Bindings: choose a namespace"),
    (c, { principal }) => chooseNamespace(c, principal, "Bindings", "workfloweventbindings"),
  ),
  route(
    consolePage("GET", "/approvals", can.inOwnNamespaces("approvals:read"), "Approvals: choose a namespace"),
    (c, { principal }) => chooseNamespace(c, principal, "Approvals", "approvals"),
  ),
  route(
    consolePage("GET", "/namespaces/:namespace/events", can.inNamespace("events:read"), "A namespace's event log"),
    async (c, { namespace }) => {
      const query = listQuery(c);
      const { items, nextCursor, sampledAway } = await listEventPage(c.env, namespace, query);
      return page(
        c,
        `Events in ${namespace}`,
        <EventsPage
          namespace={namespace}
          events={items}
          filters={{
            ...(query.discriminator ? { discriminator: query.discriminator } : {}),
            ...(query.outcome ? { outcome: query.outcome } : {}),
          }}
          nextCursor={nextCursor}
          sampledAway={sampledAway ?? 0}
        />,
        { namespace },
      );
    },
  ),
  route(
    consolePage("GET", "/namespaces/:namespace/events/:id", can.inNamespace("events:read"), "One event and its trace"),
    async (c, { principal, namespace, param }) => {
      const id = param("id");
      if (c.req.query("queued") === "1" && isEventId(id) && !(await lookupEvent(c.env, namespace, id))) {
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
      const event = await eventDetail(c.env, namespace, id);
      const canReplay = hasScope(principal, "events:write") && hasNamespace(principal, namespace);
      // One page for the whole story: the workflows (results), and what carries the same trace id.
      const traceId = event.traceId;
      const [approvals, deliveries] = await Promise.all([
        traceId && hasScope(principal, "approvals:read")
          ? listApprovalPage(c.env.DB, namespace, { traceId }).then((found) => found.items)
          : null,
        traceId && hasScope(principal, "notifications:read")
          ? listDeliveryPage(c.env.DB, principal, { traceId }).then((found) => found.items)
          : null,
      ]);
      return page(
        c,
        `Event ${event.id}`,
        <EventDetailPage
          event={event}
          csrf={sessionOf(c).csrf}
          canReplay={canReplay}
          trace={{ approvals, deliveries }}
        />,
        { namespace },
      );
    },
  ),
  route(
    consolePage(
      "POST",
      "/namespaces/:namespace/events/:id/replay",
      can.inNamespace("events:write"),
      "Replay an event",
      "redirect",
    ),
    async (c, { principal, namespace, param }) => {
      const id = await replayEvent(c.env, namespace, param("id"), principal);
      return c.redirect(`/ui/namespaces/${namespace}/events/${id}?queued=1`, 303);
    },
  ),
  route(
    consolePage(
      "GET",
      "/namespaces/:namespace/deadletters",
      can.inNamespace("events:read"),
      "A namespace's dead letters",
    ),
    async (c, { namespace }) => {
      const cursor = c.req.query("cursor");
      const { items, nextCursor } = await listTombstones(c.env.EVENT_BODIES, { namespace, limit: PAGE_SIZE, cursor });
      return page(c, "Dead letters", <DeadLettersPage namespace={namespace} items={items} nextCursor={nextCursor} />, {
        namespace,
      });
    },
  ),
  route(
    consolePage("GET", "/deadletters", can.inOwnNamespaces("events:read"), "Every namespace's dead letters"),
    async (c, { principal }) => {
      if (!hasAllNamespaces(principal)) {
        const [only] = principal.namespaces;
        if (only !== undefined) return c.redirect(`/ui/namespaces/${only}/deadletters`, 303);
      }
      const cursor = c.req.query("cursor");
      const { items, nextCursor } = await listTombstones(c.env.EVENT_BODIES, { limit: PAGE_SIZE, cursor });
      return page(c, "Dead letters", <DeadLettersPage namespace={null} items={items} nextCursor={nextCursor} />);
    },
  ),
  route(
    consolePage(
      "GET",
      "/namespaces/:namespace/workfloweventbindings",
      can.inNamespace("bindings:read"),
      "A namespace's bindings",
    ),
    async (c, { namespace }) => {
      const bindings = (await bindingList(c.env.DB, namespace)).items.map((binding) => ({
        name: binding.metadata.name,
        selector: binding.spec.event.selector,
        template: binding.spec.submit.workflowTemplateRef.name,
        cluster: binding.spec.cluster,
      }));
      return page(c, `Bindings in ${namespace}`, <BindingsPage namespace={namespace} bindings={bindings} />, {
        namespace,
      });
    },
  ),
  route(
    consolePage(
      "GET",
      "/namespaces/:namespace/workfloweventbindings/:name",
      can.inNamespace("bindings:read"),
      "A binding: its YAML, and a dry run",
    ),
    (c, { principal, namespace, param }) =>
      bindingPage(c, principal, namespace, assertObjectName(param("name"), "binding name")),
  ),
  route(
    consolePage(
      "POST",
      "/namespaces/:namespace/workfloweventbindings/:name",
      can.inNamespace("bindings:write"),
      "Save a binding's YAML",
    ),
    async (c, { principal, namespace, param }) => {
      const name = assertObjectName(param("name"), "binding name");
      const yaml = (await form(c)).yaml ?? "";
      try {
        const [document] = documentsOf(yaml, "yaml");
        const result = await applyBinding(c.env.DB, namespace, name, document, false);
        const saved = `Saved: ${result.action} (generation ${result.binding.metadata.generation}).`;
        return bindingPage(c, principal, namespace, name, { saved });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return bindingPage(c, principal, namespace, name, { yaml, saveError: error.message, status: error.status });
      }
    },
  ),
  ...(["pause", "resume"] as const).map((action) =>
    route(
      consolePage(
        "POST",
        `/namespaces/:namespace/workfloweventbindings/:name/${action}`,
        can.inNamespace("bindings:write"),
        action === "pause"
          ? "Pause a binding (submissions held)"
          : "Resume a binding (held submissions released in order)",
      ),
      async (c, { principal, namespace, param }) => {
        const name = assertObjectName(param("name"), "binding name");
        const result = await setBindingPaused(c.env.DB, namespace, name, action === "pause");
        const saved =
          action === "pause"
            ? "Paused: events are logged and matched; submissions are held until you resume."
            : "Resumed: held submissions are released in the order their events arrived.";
        return bindingPage(c, principal, namespace, name, {
          saved: result.action === "unchanged" ? `Already ${action === "pause" ? "paused" : "running"}.` : saved,
        });
      },
    ),
  ),
  route(
    consolePage(
      "POST",
      "/namespaces/:namespace/workfloweventbindings/:name/test",
      can.inNamespace("bindings:read"),
      "Dry-run a binding on a sample event",
    ),
    async (c, { principal, namespace, param }) => {
      const name = assertObjectName(param("name"), "binding name");
      const fields = await form(c);
      const dryRun: DryRun = {
        payload: fields.payload ?? "",
        discriminator: fields.discriminator ?? "",
        metadata: fields.metadata || "{}",
      };
      try {
        dryRun.result = await dryRunBinding(c.env, namespace, name, {
          payload: jsonField(dryRun.payload, "payload"),
          metadata: jsonField(dryRun.metadata, "metadata"),
          discriminator: dryRun.discriminator,
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        dryRun.error = `Cannot test: ${error.message}`;
      }
      return bindingPage(c, principal, namespace, name, { dryRun });
    },
  ),
  route(
    consolePage(
      "GET",
      "/namespaces/:namespace/approvals",
      can.inNamespace("approvals:read"),
      "A namespace's approval gates",
    ),
    async (c, { namespace }) => {
      const pending = await listApprovalPage(c.env.DB, namespace, { status: "pending", limit: "100" });
      const recent = await listApprovalPage(c.env.DB, namespace, { limit: "100" });
      const others = recent.items.filter((row) => row.status !== "pending");
      return page(
        c,
        `Approvals in ${namespace}`,
        <ApprovalsPage namespace={namespace} pending={pending.items} others={others} />,
        { namespace },
      );
    },
  ),
  route(
    consolePage(
      "GET",
      "/namespaces/:namespace/approvals/:id",
      can.inNamespace("approvals:read"),
      "An approval gate, its audit, and its decision form",
    ),
    (c, { principal, namespace, param }) => approvalPage(c, principal, namespace, param("id")),
  ),
  route(
    consolePage(
      "POST",
      "/namespaces/:namespace/approvals/:id/decision",
      can.inNamespace("approvals:decide"),
      "Decide an approval gate",
      "redirect",
    ),
    async (c, { principal, namespace, param }) => {
      const id = param("id");
      const fields = await form(c);
      const approve = fields.approve === "true" ? true : fields.approve === "false" ? false : fields.approve;
      try {
        await decideApproval(c.env, principalDecider(principal, "console"), namespace, id, {
          approve,
          message: fields.message ?? "",
          // The break-glass form sends a reason; an empty one is refused (400) like the API's.
          ...(fields.override === "true" ? { override: { reason: fields.reason ?? "" } } : {}),
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        return approvalPage(c, principal, namespace, id, error);
      }
      return c.redirect(`/ui/namespaces/${namespace}/approvals/${id}`, 303);
    },
  ),
  route(
    consolePage(
      "GET",
      "/notifications/deliveries",
      can.inOwnNamespaces("notifications:read"),
      "Notification deliveries",
    ),
    async (c, { principal }) => {
      const query = listQuery(c);
      const { items, nextCursor } = await listDeliveryPage(c.env.DB, principal, query);
      return page(
        c,
        "Deliveries",
        <DeliveriesPage
          deliveries={items}
          {...(query.status ? { status: query.status } : {})}
          csrf={sessionOf(c).csrf}
          nextCursor={nextCursor}
        />,
      );
    },
  ),
  route(
    consolePage(
      "GET",
      "/notifications/templates",
      can.everywhere("notifications:read"),
      "Stored notification templates",
    ),
    async (c) => page(c, "Templates", <TemplatesPage templates={await templateItems(c.env.DB)} />),
  ),
  route(
    consolePage(
      "GET",
      "/notifications/templates/:name",
      can.everywhere("notifications:read"),
      "A stored notification template",
    ),
    async (c, { param }) => {
      const name = assertObjectName(param("name"), "template name");
      const template = (await templateItems(c.env.DB)).find((item) => item.name === name);
      if (!template) throw new AppError("not_found", `template "${name}" not found`);
      return page(c, `Template ${name}`, <TemplatePage template={template} />);
    },
  ),
  route(
    consolePage(
      "POST",
      "/notifications/deliveries/:id/retry",
      can.inOwnNamespaces("notifications:write"),
      "Send a failed delivery again",
      "redirect",
    ),
    async (c, { principal, param }) => {
      await retryDelivery(c.env, principal, param("id"));
      return c.redirect("/ui/notifications/deliveries", 303);
    },
  ),
  route(consolePage("GET", "/clusters", can.admin, "Clusters and their circuit breakers"), async (c) =>
    page(c, "Clusters", <ClustersPage clusters={await clusterList(c.env)} />),
  ),
  route(consolePage("POST", "/logout", can.signedIn, "Sign out", "redirect"), (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.redirect("/ui/login", 303);
  }),
];

/** The pages anyone may open: the stylesheet and the sign-in. */
const publicPages = [
  route(
    {
      method: "GET",
      path: "/ui/assets/console.css",
      access: can.anyone,
      summary: "The console's stylesheet",
      tag: "console",
      responses: { 200: "html" },
    },
    (c) =>
      c.body(CONSOLE_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600" }),
  ),
  route(consolePage("GET", "/login", can.anyone, "Sign in"), (c) => page(c, "Sign in", <LoginPage />)),
  route(consolePage("POST", "/login", can.anyone, "Sign in with a token", "redirect"), async (c) => {
    const origin = c.req.header("origin");
    if (origin && origin !== new URL(c.req.url).origin)
      throw new AppError("permission_denied", "cross-site sign-in is refused");
    const token = (await form(c)).token ?? "";
    const cookie = token ? await signIn(c.env, token) : null;
    if (!cookie) return page(c, "Sign in", <LoginPage error="That token is not valid." />, { status: 401 });
    setCookie(c, SESSION_COOKIE, cookie, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      maxAge: SESSION_SECONDS,
    });
    return c.redirect("/ui", 303);
  }),
];

/** Every console route, declared (who may open each page is its access rule). */
export const CONSOLE_ROUTES = [...publicPages, ...signedInPages];

/** The console at `/ui`: server-rendered, no client-side JavaScript, strict CSP, signed session cookie. */
export const consoleApp = new Hono<UiEnv>();
consoleApp.use("/ui/*", securityHeaders);
consoleApp.use("/ui", securityHeaders);
mount(consoleApp, CONSOLE_ROUTES, sessions);

consoleApp.onError((error, c) => {
  // A page that needs a session, without one: the sign-in page.
  if (error instanceof AppError && error.code === "unauthenticated") return c.redirect("/ui/login", 303);
  const status = error instanceof AppError ? error.status : 500;
  if (!(error instanceof AppError) || status >= 500) log.error("console error", {}, error);
  const message = error instanceof AppError && status < 500 ? error.message : "Internal error.";
  return page(c as UiContext, "Error", <ErrorPage status={status} message={message} />, { status });
});
