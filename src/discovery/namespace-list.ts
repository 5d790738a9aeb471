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
