import type { Context } from "hono";
import { authenticateCredential } from "./authenticate";
import type { AppEnv } from "./context";

/**
 * Resolves `Authorization` to a principal (the API's `identify`, run before every route that
 * needs a caller). A request without the header passes through unauthenticated (routes decide:
 * most refuse, event ingest tries webhook signatures); a header with a bad token is refused here.
 */
export async function authenticate(c: Context<AppEnv>): Promise<void> {
  const header = c.req.header("authorization");
  const authenticated =
    header === undefined ? undefined : await authenticateCredential(c.env.DB, c.env.HOOKLINE_ADMIN_TOKEN, header);
  c.set("principal", authenticated?.principal);
}
