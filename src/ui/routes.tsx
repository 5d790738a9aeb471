import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Child } from "hono/jsx";
import { stringify } from "yaml";
import { mayDecide, mayOverride, principalDecider } from "../approvals/approvers";
import { decideApproval, readAudit, readGate } from "../approvals/decide";
import { listApprovalPage } from "../approvals/routes";
import type { AppEnv } from "../auth/context";
import { authorize, GLOBAL, hasAllNamespaces, hasNamespace, hasScope, type Principal } from "../auth/principal";
import { applyBindings } from "../bindings/apply";
import { dryRunBinding } from "../bindings/dry-run";
import { getBinding, listBindings } from "../bindings/store";
import { clusterList } from "../clusters/routes";
import { listTombstones } from "../events/graveyard";
import { eventDetail, listEventPage } from "../events/log";
import { replayEvent } from "../events/replay";
import { eventLogFor, eventLogsOf } from "../events/shards";
import { getEvent } from "../events/store";
import { documentsOf } from "../lib/documents";
import { AppError } from "../lib/errors";
import { isEventId } from "../lib/ids";
import { log } from "../lib/log";
import { assertNamespace, assertObjectName } from "../lib/names";
import { listDeliveryPage, retryDelivery } from "../notifications/deliveries";
import { listObjects, triggersByTemplate } from "../notifications/store";
import { type TemplateSpec, templateFields } from "../notifications/templates";
import { CONSOLE_CSS } from "./assets";
import { Layout, PAGE_SECURITY_HEADERS } from "./layout";
import {
  ApprovalPage,
  ApprovalsPage,
  BindingPage,
  BindingsPage,
  ClustersPage,
  DeadLettersPage,
  DeliveriesPage,
  type DryRun,
  ErrorPage,
  EventDetailPage,
  EventsPage,
  LoginPage,
  NamespaceChooser,
  OverviewPage,
  TemplatePage,
  TemplatesPage,
} from "./pages/pages";
import { eventsPerMinute, failedDeliveries, knownNamespaces, outcomeCounts, pendingApprovals } from "./queries";
import { readSession, SESSION_COOKIE, SESSION_SECONDS, type Session, signIn, validCsrf } from "./session";

type UiEnv = AppEnv & { Variables: { session: Session | undefined } };
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

/** Resolves the session; pages need one (else the login page), and every form post its CSRF token. */
const sessions = createMiddleware<UiEnv>(async (c, next) => {
  const session = await readSession(c.env, getCookie(c, SESSION_COOKIE), c.req.header("cf-access-jwt-assertion"));
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

function sessionOf(c: UiContext): Session {
  const session = c.get("session");
  if (!session) throw new AppError("unauthenticated", "sign in first");
  return session;
}

const principalOf = (c: UiContext): Principal => sessionOf(c).principal;

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

/** Sends a principal with one namespace straight there; others choose. */
async function chooseNamespace(
  c: UiContext,
  what: string,
  path: string,
  scope: "events:read" | "bindings:read" | "approvals:read",
) {
  const principal = authorize(principalOf(c), scope);
  const namespaces = await knownNamespaces(c.env.DB, eventLogsOf(c.env), principal);
  if (namespaces.length === 1 && !hasAllNamespaces(principal))
    return c.redirect(`/ui/namespaces/${namespaces[0]}/${path}`, 303);
  return page(c, what, <NamespaceChooser what={what} path={path} namespaces={namespaces} />);
}

async function bindingPage(
  c: UiContext,
  namespace: string,
  name: string,
  extra: { yaml?: string; saveError?: string; saved?: string; dryRun?: DryRun; status?: number } = {},
  /** The scope the request was allowed with: the page after a save answers the writer. */
  scope: "bindings:read" | "bindings:write" = "bindings:read",
) {
  const principal = authorize(principalOf(c), scope, namespace);
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
      {...(extra.saveError ? { saveError: extra.saveError } : {})}
      {...(extra.saved ? { saved: extra.saved } : {})}
      dryRun={extra.dryRun ?? { payload: '{\n  "message": "hello"\n}', discriminator: "", metadata: "{}" }}
    />,
    { status: extra.status ?? 200, namespace },
  );
}

async function approvalPage(c: UiContext, namespace: string, id: string, refusal?: AppError) {
  const principal = authorize(principalOf(c), "approvals:read", namespace);
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

const signedIn = new Hono<UiEnv>()
  .use(sessions)
  .get("/", async (c) => {
    const principal = principalOf(c);
    const now = Date.now();
    const namespace =
      principal.namespaces.length === 1 && !hasAllNamespaces(principal) ? principal.namespaces[0] : undefined;
    const canEvents = hasScope(principal, "events:read");
    const data = {
      perMinute: canEvents ? await eventsPerMinute(eventLogsOf(c.env, namespace), principal, now, namespace) : [],
      outcomes: canEvents ? await outcomeCounts(eventLogsOf(c.env, namespace), principal, now, namespace) : {},
      pendingApprovals: hasScope(principal, "approvals:read")
        ? await pendingApprovals(c.env.DB, principal, namespace)
        : null,
      failedDeliveries: hasScope(principal, "notifications:read") ? await failedDeliveries(c.env.DB, principal) : null,
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
    const query = listQuery(c);
    const { items, nextCursor } = await listEventPage(c.env, namespace, query);
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
      />,
      { namespace },
    );
  })
  .get("/namespaces/:namespace/events/:id", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(principalOf(c), "events:read", namespace);
    const id = c.req.param("id");
    if (
      c.req.query("queued") === "1" &&
      isEventId(id) &&
      !(await getEvent(eventLogFor(c.env, namespace), namespace, id))
    ) {
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
  })
  .post("/namespaces/:namespace/events/:id/replay", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    const principal = authorize(principalOf(c), "events:write", namespace);
    const id = await replayEvent(c.env, namespace, c.req.param("id"), principal);
    return c.redirect(`/ui/namespaces/${namespace}/events/${id}?queued=1`, 303);
  })
  .get("/namespaces/:namespace/deadletters", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(principalOf(c), "events:read", namespace);
    const cursor = c.req.query("cursor");
    const { items, nextCursor } = await listTombstones(c.env.EVENT_BODIES, { namespace, limit: PAGE_SIZE, cursor });
    return page(c, "Dead letters", <DeadLettersPage namespace={namespace} items={items} nextCursor={nextCursor} />, {
      namespace,
    });
  })
  .get("/deadletters", async (c) => {
    const principal = authorize(principalOf(c), "events:read");
    if (!hasAllNamespaces(principal)) {
      const [only] = principal.namespaces;
      if (only !== undefined) return c.redirect(`/ui/namespaces/${only}/deadletters`, 303);
    }
    const cursor = c.req.query("cursor");
    const { items, nextCursor } = await listTombstones(c.env.EVENT_BODIES, { limit: PAGE_SIZE, cursor });
    return page(c, "Dead letters", <DeadLettersPage namespace={null} items={items} nextCursor={nextCursor} />);
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
      const [result] = await applyBindings(c.env.DB, namespace, documentsOf(yaml, "yaml"), { pathName: name });
      const saved = `Saved: ${result?.action ?? "applied"} (generation ${result?.binding.metadata.generation ?? "?"}).`;
      return bindingPage(c, namespace, name, { saved }, "bindings:write");
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return bindingPage(
        c,
        namespace,
        name,
        { yaml, saveError: error.message, status: error.status },
        "bindings:write",
      );
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
      dryRun.result = await dryRunBinding(c.env, namespace, name, {
        payload: jsonField(dryRun.payload, "payload"),
        metadata: jsonField(dryRun.metadata, "metadata"),
        discriminator: dryRun.discriminator,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      dryRun.error = `Cannot test: ${error.message}`;
    }
    return bindingPage(c, namespace, name, { dryRun });
  })
  .get("/namespaces/:namespace/approvals", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(principalOf(c), "approvals:read", namespace);
    const pending = await listApprovalPage(c.env.DB, namespace, { status: "pending", limit: "100" });
    const recent = await listApprovalPage(c.env.DB, namespace, { limit: "100" });
    const others = recent.items.filter((row) => row.status !== "pending");
    return page(
      c,
      `Approvals in ${namespace}`,
      <ApprovalsPage namespace={namespace} pending={pending.items} others={others} />,
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
      return approvalPage(c, namespace, id, error);
    }
    return c.redirect(`/ui/namespaces/${namespace}/approvals/${id}`, 303);
  })
  .get("/notifications/deliveries", async (c) => {
    const principal = authorize(principalOf(c), "notifications:read");
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
  })
  .get("/notifications/templates", async (c) => {
    authorize(principalOf(c), "notifications:read", GLOBAL);
    return page(c, "Templates", <TemplatesPage templates={await templateItems(c.env.DB)} />);
  })
  .get("/notifications/templates/:name", async (c) => {
    authorize(principalOf(c), "notifications:read", GLOBAL);
    const name = assertObjectName(c.req.param("name"), "template name");
    const template = (await templateItems(c.env.DB)).find((item) => item.name === name);
    if (!template) throw new AppError("not_found", `template "${name}" not found`);
    return page(c, `Template ${name}`, <TemplatePage template={template} />);
  })
  .post("/notifications/deliveries/:id/retry", async (c) => {
    await retryDelivery(c.env, principalOf(c), c.req.param("id"));
    return c.redirect("/ui/notifications/deliveries", 303);
  })
  .get("/clusters", async (c) => {
    authorize(principalOf(c), "admin", GLOBAL);
    return page(c, "Clusters", <ClustersPage clusters={await clusterList(c.env)} />);
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
  })
  .route("/", signedIn);

consoleRoutes.onError((error, c) => {
  const status = error instanceof AppError ? error.status : 500;
  if (!(error instanceof AppError) || status >= 500) log.error("console error", {}, error);
  const message = error instanceof AppError && status < 500 ? error.message : "Internal error.";
  return page(c as UiContext, "Error", <ErrorPage status={status} message={message} />, { status });
});
