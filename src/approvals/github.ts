import { type Context, Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { readBodyLimited } from "../lib/body";
import { MAX_DELIVERY_BYTES, receiveDeploymentProtectionRule } from "./github-deliveries";

/**
 * `POST /callbacks/github/deployment-protection`: the webhook URL of a GitHub App that is a custom
 * deployment protection rule. It authenticates itself: the delivery must be signed with the
 * webhook secret of an App a policy names (github-deliveries.ts).
 */
async function deploymentProtection(c: Context<AppEnv>): Promise<Response> {
  const body = await readBodyLimited(c.req.raw, MAX_DELIVERY_BYTES);
  const answer = await receiveDeploymentProtectionRule(c.env, c.req.raw.headers, body);
  return c.json(answer.body, answer.status, answer.duplicate ? { "x-hookline-duplicate": "true" } : {});
}

/** GitHub's deployment protection rule deliveries. */
export const githubRoutes = new Hono<AppEnv>().post("/callbacks/github/deployment-protection", deploymentProtection);
