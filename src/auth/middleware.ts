import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/context";
import { authenticateBearer } from "./authenticate";

/**
 * Resolves `Authorization` to a principal. A request without the header passes through
 * unauthenticated (routes decide: most refuse, event ingest tries webhook signatures); a
 * header with a bad token is refused here.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  c.set(
    "principal",
    header === undefined ? undefined : await authenticateBearer(c.env.DB, c.env.HOOKLINE_ADMIN_TOKEN, header),
  );
  await next();
});
