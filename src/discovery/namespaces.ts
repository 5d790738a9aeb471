import { z } from "zod";
import { hasNamespace } from "../auth/principal";
import { can, route } from "../http/route";
import { listNamespaces } from "./namespace-list";

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
