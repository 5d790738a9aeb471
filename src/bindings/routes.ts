import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { authorize } from "../auth/principal";
import { isDryRun } from "../lib/apply";
import { readDocument, readDocuments } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { assertNamespace, assertObjectName } from "../lib/names";
import { applyBindings } from "./apply";
import { dryRunBinding } from "./dry-run";
import { deleteBinding, getBinding, listBindings } from "./store";

/** `/api/v1/namespaces/{ns}/workfloweventbindings`: apply (JSON or YAML), read, delete, dry-run. */
export const bindingRoutes = new Hono<AppEnv>()
  .put("/namespaces/:namespace/workfloweventbindings", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:write", namespace);
    const results = await applyBindings(c.env.DB, namespace, await readDocuments(c.req.raw), {
      dryRun: isDryRun(c.req.query("dryRun")),
    });
    return c.json({
      apiVersion: "v1",
      kind: "List",
      items: results.map((result) => result.binding),
      results: results.map((result) => ({ name: result.binding.metadata.name, action: result.action })),
    });
  })
  .put("/namespaces/:namespace/workfloweventbindings/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:write", namespace);
    const name = assertObjectName(c.req.param("name"), "binding name");
    const [result] = await applyBindings(c.env.DB, namespace, [await readDocument(c.req.raw)], {
      pathName: name,
      dryRun: isDryRun(c.req.query("dryRun")),
    });
    if (!result) throw new AppError("internal", "nothing was applied");
    return c.json(result.binding, result.action === "created" ? 201 : 200, { "x-hookline-action": result.action });
  })
  .get("/namespaces/:namespace/workfloweventbindings", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:read", namespace);
    const items = await listBindings(c.env.DB, namespace);
    return c.json({ apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowEventBindingList", items });
  })
  .get("/namespaces/:namespace/workfloweventbindings/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:read", namespace);
    const name = assertObjectName(c.req.param("name"), "binding name");
    const binding = await getBinding(c.env.DB, namespace, name);
    if (!binding) throw notFound(`workfloweventbinding "${name}" not found in namespace "${namespace}"`);
    return c.json(binding);
  })
  .delete("/namespaces/:namespace/workfloweventbindings/:name", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:write", namespace);
    const name = assertObjectName(c.req.param("name"), "binding name");
    if (!(await deleteBinding(c.env.DB, namespace, name))) {
      throw notFound(`workfloweventbinding "${name}" not found in namespace "${namespace}"`);
    }
    return c.body(null, 204);
  })
  .post("/namespaces/:namespace/workfloweventbindings/:name/test", async (c) => {
    const namespace = assertNamespace(c.req.param("namespace"));
    authorize(c.get("principal"), "bindings:read", namespace);
    const name = assertObjectName(c.req.param("name"), "binding name");
    return c.json(await dryRunBinding(c.env, namespace, name, await readDocument(c.req.raw)));
  });
