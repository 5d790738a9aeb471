import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { authorize, GLOBAL } from "../auth/principal";
import { resealEverything } from "./reseal";

/** `/api/v1/admin`: operations on the whole gateway (admin only). */
export const adminRoutes = new Hono<AppEnv>().post("/admin/reseal", async (c) => {
  authorize(c.get("principal"), "admin", GLOBAL);
  return c.json({ resealed: await resealEverything(c.env) });
});
