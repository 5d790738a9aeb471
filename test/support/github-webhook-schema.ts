// GitHub's published webhook schema (@octokit/openapi-webhooks, the api.github.com document) as a
// validator (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it): what the tests send as a GitHub
// delivery must be a delivery GitHub could send. Node only.
import { schemas } from "@octokit/openapi-webhooks";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const spec = schemas["api.github.com"] as { components: Record<string, unknown> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: "github-webhooks", components: spec.components });

/** Problems with `payload` against a webhook schema of GitHub's (empty when GitHub could send it). */
export function webhookProblems(payload: unknown, schema = "webhook-deployment-protection-rule-requested"): string[] {
  const validate = ajv.getSchema(`github-webhooks#/components/schemas/${schema}`);
  if (!validate) throw new Error(`GitHub's webhook schema has no ${schema}`);
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "(root)"} ${error.message ?? ""}`);
}
