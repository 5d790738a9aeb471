import { describe, expect, it } from "vitest";
import { deploymentProtectionRule } from "../support/github-delivery";
import { webhookProblems } from "../support/github-webhook-schema";

// The deliveries the worker and e2e tests send as GitHub must be ones GitHub could send: they are
// checked against GitHub's published webhook schema (@octokit/openapi-webhooks).

const input = {
  apiUrl: "https://api.github.com",
  repository: "octo-org/payments",
  repositoryId: 123456,
  runId: 9876543210,
  environment: "production",
  installationId: 4242,
};

describe("deployment_protection_rule deliveries, as the tests build them", () => {
  it("match GitHub's webhook schema (github.com, GitHub Enterprise Server, a creator with an email)", () => {
    expect(webhookProblems(deploymentProtectionRule(input))).toEqual([]);
    expect(
      webhookProblems(
        deploymentProtectionRule({
          ...input,
          apiUrl: "https://ghe.example.com/api/v3",
          webUrl: "https://ghe.example.com",
        }),
      ),
    ).toEqual([]);
    expect(webhookProblems(deploymentProtectionRule({ ...input, creatorEmail: "ana@example.com" }))).toEqual([]);
  });

  it("the schema check is strict: a delivery without its repository or with a malformed callback URL fails", () => {
    const { repository: _, ...withoutRepository } = deploymentProtectionRule(input);
    expect(webhookProblems(withoutRepository).join("\n")).toContain("repository");
    expect(webhookProblems({ ...deploymentProtectionRule(input), deployment_callback_url: "not a url" })).not.toEqual(
      [],
    );
    expect(webhookProblems({ ...deploymentProtectionRule(input), action: "approved" })).not.toEqual([]);
  });
});
