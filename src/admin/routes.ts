import { z } from "zod";
import { can, route } from "../http/route";
import { resealEverything } from "./reseal";

/** `/api/v1/admin`: operations on the whole gateway (admin only). */
export const adminRoutes = [
  route(
    {
      method: "POST",
      path: "/api/v1/admin/reseal",
      access: can.admin,
      summary: "Re-encrypt every sealed value under the current key",
      tag: "access",
      responses: { 200: z.object({ resealed: z.record(z.string(), z.number().int()) }) },
    },
    async (c) => c.json({ resealed: await resealEverything(c.env) }),
  ),
];
