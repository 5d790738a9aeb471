import { z } from "zod";
import { can, route } from "../http/route";
import { readDocument } from "../lib/documents";
import {
  createdTokenSchema,
  createToken,
  createTokenSchema,
  revokeToken,
  tokenList,
  tokenNamed,
  tokenViewSchema,
  whoami,
  whoamiSchema,
} from "./api-tokens";

/** `/api/v1/tokens` (admin: create — the text shown once —, list, read, revoke) and `/api/v1/whoami`. */
export const tokenRoutes = [
  route(
    {
      method: "GET",
      path: "/api/v1/whoami",
      access: can.signedIn,
      summary: "Who the credential is: kind, name, scopes, namespaces",
      tag: "access",
      responses: { 200: whoamiSchema },
    },
    (c, { principal }) => c.json(whoami(principal)),
  ),
  route(
    {
      method: "POST",
      path: "/api/v1/tokens",
      access: can.admin,
      summary: "Create an API token (shown once)",
      tag: "access",
      body: createTokenSchema,
      responses: { 201: createdTokenSchema },
    },
    async (c) => c.json(await createToken(c.env.DB, await readDocument(c.req.raw)), 201),
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/tokens",
      access: can.admin,
      summary: "List API tokens",
      tag: "access",
      responses: { 200: z.object({ items: z.array(tokenViewSchema) }) },
    },
    async (c) => c.json(await tokenList(c.env.DB)),
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/tokens/:name",
      access: can.admin,
      summary: "Read one API token",
      tag: "access",
      responses: { 200: tokenViewSchema },
    },
    async (c, { param }) => c.json(await tokenNamed(c.env.DB, param("name"))),
  ),
  route(
    {
      method: "DELETE",
      path: "/api/v1/tokens/:name",
      access: can.admin,
      summary: "Revoke an API token",
      tag: "access",
      responses: { 204: "empty" },
    },
    async (c, { param }) => {
      await revokeToken(c.env.DB, param("name"));
      return c.body(null, 204);
    },
  ),
];
