import { describe, expect, it } from "vitest";
import { compileBinding } from "../../../src/bindings/compile";
import { evaluateBinding } from "../../../src/bindings/evaluate";
import type { StoredBinding } from "../../../src/bindings/schema";

function stored(spec: Partial<StoredBinding["spec"]["submit"]> = {}, template = "build"): StoredBinding {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowEventBinding",
    metadata: { name: "b", namespace: "ns", uid: "uid-1", generation: 1, creationTimestamp: new Date().toISOString() },
    spec: {
      cluster: "default",
      expressionLanguage: "jsonata",
      event: { selector: "true" },
      submit: { workflowTemplateRef: { name: template, clusterScope: false }, ...spec },
    },
  };
}

function compiled(binding: StoredBinding) {
  const result = compileBinding(binding);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const input = (id: string) => ({
  id,
  environment: { payload: { a: 1 }, metadata: {}, discriminator: "", namespace: "ns" },
  senderTemplates: null,
});

describe("workflow names", () => {
  it("default names are deterministic per event and binding, and differ across events", async () => {
    const binding = compiled(stored());
    const a = await evaluateBinding(binding, input("01A"));
    const again = await evaluateBinding(binding, input("01A"));
    const b = await evaluateBinding(binding, input("01B"));
    expect(a.proposal?.workflowName).toMatch(/^build-[0-9a-f]{10}$/);
    expect(again.proposal?.workflowName).toBe(a.proposal?.workflowName);
    expect(b.proposal?.workflowName).not.toBe(a.proposal?.workflowName);
  });

  it("a long template name is shortened so the workflow name stays ≤ 63 characters", async () => {
    const evaluation = await evaluateBinding(compiled(stored({}, `${"t".repeat(60)}-x.y`)), input("01A"));
    const name = evaluation.proposal?.workflowName ?? "";
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^t+-[0-9a-f]{10}$/);
  });
});
