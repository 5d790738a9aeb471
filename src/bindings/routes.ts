import { can, route } from "../http/route";
import { isDryRun } from "../lib/apply";
import { readDocument, readDocuments } from "../lib/documents";
import {
  appliedListSchema,
  applyBinding,
  applyBindingList,
  bindingList,
  bindingListSchema,
  bindingNamed,
  removeBinding,
  setBindingPaused,
} from "./bindings";
import { dryRunBinding, dryRunInputSchema, dryRunResultSchema } from "./dry-run";
import { bindingInputSchema, storedBindingSchema } from "./schema";

const path = "/api/v1/namespaces/:namespace/workfloweventbindings";

/** `/api/v1/namespaces/{ns}/workfloweventbindings`: apply (JSON or YAML), read, delete, dry-run. */
export const bindingRoutes = [
  route(
    {
      method: "PUT",
      path,
      access: can.inNamespace("bindings:write"),
      summary: "Apply several WorkflowEventBindings (a List or a multi-document YAML stream)",
      tag: "bindings",
      yaml: true,
      responses: { 200: appliedListSchema },
    },
    async (c, { namespace }) =>
      c.json(
        await applyBindingList(c.env.DB, namespace, await readDocuments(c.req.raw), isDryRun(c.req.query("dryRun"))),
      ),
  ),
  route(
    {
      method: "PUT",
      path: `${path}/:name`,
      access: can.inNamespace("bindings:write"),
      summary: "Create or replace a WorkflowEventBinding (Argo's shape; JSONata or expr)",
      tag: "bindings",
      body: bindingInputSchema,
      yaml: true,
      responses: { 200: storedBindingSchema, 201: storedBindingSchema },
    },
    async (c, { namespace, param }) => {
      const applied = await applyBinding(
        c.env.DB,
        namespace,
        param("name"),
        await readDocument(c.req.raw),
        isDryRun(c.req.query("dryRun")),
      );
      return c.json(applied.binding, applied.action === "created" ? 201 : 200, { "x-hookline-action": applied.action });
    },
  ),
  route(
    {
      method: "GET",
      path,
      access: can.inNamespace("bindings:read"),
      summary: "List a namespace's WorkflowEventBindings",
      tag: "bindings",
      responses: { 200: bindingListSchema },
    },
    async (c, { namespace }) => c.json(await bindingList(c.env.DB, namespace)),
  ),
  route(
    {
      method: "GET",
      path: `${path}/:name`,
      access: can.inNamespace("bindings:read"),
      summary: "Read one WorkflowEventBinding",
      tag: "bindings",
      responses: { 200: storedBindingSchema },
    },
    async (c, { namespace, param }) => c.json(await bindingNamed(c.env.DB, namespace, param("name"))),
  ),
  route(
    {
      method: "DELETE",
      path: `${path}/:name`,
      access: can.inNamespace("bindings:write"),
      summary: "Delete a WorkflowEventBinding",
      tag: "bindings",
      responses: { 204: "empty" },
    },
    async (c, { namespace, param }) => {
      await removeBinding(c.env.DB, namespace, param("name"));
      return c.body(null, 204);
    },
  ),
  route(
    {
      method: "POST",
      path: `${path}/:name/test`,
      access: can.inNamespace("bindings:read"),
      summary: "Dry-run a binding on a sample event: match, parameters, workflow name (nothing is submitted)",
      tag: "bindings",
      body: dryRunInputSchema,
      responses: { 200: dryRunResultSchema },
    },
    async (c, { namespace, param }) =>
      c.json(await dryRunBinding(c.env, namespace, param("name"), await readDocument(c.req.raw))),
  ),
  ...(["pause", "resume"] as const).map((action) =>
    route(
      {
        method: "POST",
        path: `${path}/:name/${action}`,
        access: can.inNamespace("bindings:write"),
        summary:
          action === "pause"
            ? "Pause a binding: its events are logged and matched, its submissions held (spec.paused: true)"
            : "Resume a paused binding: its held submissions are released in arrival order",
        tag: "bindings",
        responses: { 200: storedBindingSchema },
      },
      async (c, { namespace, param }) => {
        const applied = await setBindingPaused(c.env.DB, namespace, param("name"), action === "pause");
        return c.json(applied.binding, 200, { "x-hookline-action": applied.action });
      },
    ),
  ),
];
