import { can, route } from "../http/route";
import { readBodyLimited } from "../lib/body";
import {
  deliveryGateSchema,
  deliveryIgnoredSchema,
  MAX_DELIVERY_BYTES,
  receiveDeploymentProtectionRule,
} from "./github-deliveries";

/**
 * `POST /callbacks/github/deployment-protection`: the webhook URL of a GitHub App that is a custom
 * deployment protection rule. It authenticates itself: the delivery must be signed with the
 * webhook secret of an App a policy names (github-deliveries.ts).
 */
export const githubRoutes = [
  route(
    {
      method: "POST",
      path: "/callbacks/github/deployment-protection",
      access: can.anyone,
      summary:
        "A GitHub App's deployment_protection_rule deliveries: signed with the webhook secret of an App a policy names, they open gates",
      tag: "approvals",
      signatures: ["githubAppSignature"],
      responses: { 200: deliveryGateSchema.or(deliveryIgnoredSchema), 201: deliveryGateSchema },
    },
    async (c) => {
      const body = await readBodyLimited(c.req.raw, MAX_DELIVERY_BYTES);
      const answer = await receiveDeploymentProtectionRule(c.env, c.req.raw.headers, body);
      return c.json(answer.body, answer.status, answer.duplicate ? { "x-hookline-duplicate": "true" } : {});
    },
  ),
];
