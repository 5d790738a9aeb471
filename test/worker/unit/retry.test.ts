import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../../src/lib/retry";

describe("retry backoff", () => {
  it("doubles per attempt and caps at a minute", () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelaySeconds(attempts))).toEqual([2, 4, 8, 16]);
    expect(retryDelaySeconds(20)).toBe(60);
    expect(retryDelaySeconds(0)).toBe(2);
    expect(retryDelaySeconds(6, 10)).toBe(10);
  });
});
