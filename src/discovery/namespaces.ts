import { z } from "zod";
import { hasNamespace } from "../auth/principal";
import { can, route } from "../http/route";

/**
 * The namespaces that hold something — bindings, approval policies and gates, webhook clients —
 * as far as the caller may see them (`kubectl get -A` needs a list to walk).
 */
export async function listNamespaces(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT namespace FROM bindings UNION SELECT namespace FROM approval_policies
       UNION SELECT namespace FROM approvals UNION SELECT namespace FROM webhook_clients ORDER BY namespace`,
    )
    .all<{ namespace: string }>();
  return results.map((row) => row.namespace);
}

/** `GET /api/v1/namespaces`: any credential; only the namespaces it may act in. */
export const namespaceRoutes = [
  route(
    {
      method: "GET",
      path: "/api/v1/namespaces",
      access: can.signedIn,
      summary: "The namespaces that hold something, as far as the credential may see them",
      tag: "access",
      responses: { 200: z.object({ items: z.array(z.object({ name: z.string() })) }) },
    },
    async (c, { principal }) => {
      const names = (await listNamespaces(c.env.DB)).filter((name) => hasNamespace(principal, name));
      return c.json({ items: names.map((name) => ({ name })) });
    },
  ),
];
