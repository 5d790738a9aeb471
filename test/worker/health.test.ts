import { describe, expect, it } from "vitest";
import { call, expectError } from "./helpers";

describe("health", () => {
  it("answers ok with the version, without credentials", async () => {
    const response = await call("/healthz");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; version: string };
    expect(body.status).toBe("ok");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("answers unknown routes with a JSON not_found error", async () => {
    await expectError(await call("/nope"), 404, "not_found");
    await expectError(await call("/api/v1/nope"), 404, "not_found");
  });
});
