import { createMiddleware } from "hono/factory";
import { authenticateCredential } from "./authenticate";
import type { AppEnv } from "./context";

/**
 * Resolves `Authorization` to a principal. A request without the header passes through
 * unauthenticated (routes decide: most refuse, event ingest tries webhook signatures); a
 * header with a bad token is refused here.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const authenticated =
    header === undefined ? undefined : await authenticateCredential(c.env.DB, c.env.HOOKLINE_ADMIN_TOKEN, header);
  c.set("principal", authenticated?.principal);
  await next();
});
