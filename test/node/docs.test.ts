import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README: a front door", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

  it("opens with the two commands and stays under 15,000 characters", () => {
    expect(readme.length).toBeLessThanOrEqual(15_000);
    const top = readme.slice(0, 400);
    expect(top).toContain("npm install && npm start");
    expect(top).toContain("npm test");
  });

  it("draws the event path and the approval loop", () => {
    expect(readme).toMatch(/```mermaid\nflowchart/);
    expect(readme).toContain("ApprovalGate");
  });

  it("links only to guides that exist", () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((match) => match[1] ?? "");
    expect(links.length).toBeGreaterThan(8);
    for (const link of links) expect(existsSync(new URL(`../../${link}`, import.meta.url)), link).toBe(true);
  });
});
