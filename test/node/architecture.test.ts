import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The rules of docs/architecture.md, checked on the source: what must never import what.
const root = resolve(dirname(new URL(import.meta.url).pathname), "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry) ? [path] : [];
  });
}

const files = sources(root).filter((file) => !file.includes(`${join(root, "generated")}`));

/** The project files a source file imports (relative imports, resolved). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = resolve(dirname(file), match[1] ?? "");
    const candidates = [`${target}.ts`, `${target}.tsx`, join(target, "index.ts"), target];
    const hit = candidates.find((candidate) => files.includes(candidate) || candidate.endsWith(".json"));
    if (hit && !hit.endsWith(".json")) found.push(hit);
  }
  return found;
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const area = (file: string) => relative(root, file).split("/")[0] ?? "";

describe("architecture", () => {
  it("src/lib imports no capability (it is the ground floor)", () => {
    const offending = files
      .filter((file) => area(file) === "lib")
      .flatMap((file) =>
        (graph.get(file) ?? [])
          .filter((target) => !["lib", "generated"].includes(area(target)))
          .map((target) => `${relative(root, file)} → ${relative(root, target)}`),
      );
    expect(offending).toEqual([]);
  });

  it("bindings and clusters do not import each other (the consumer joins them)", () => {
    const offending = files.flatMap((file) =>
      (graph.get(file) ?? [])
        .filter(
          (target) =>
            (area(file) === "bindings" && area(target) === "clusters") ||
            (area(file) === "clusters" && area(target) === "bindings"),
        )
        .map((target) => `${relative(root, file)} → ${relative(root, target)}`),
    );
    expect(offending).toEqual([]);
  });

  it("no file imports itself through others (no import cycle)", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((step) => relative(root, step)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("access is checked in one place: no authorize( outside the route declaration layer", () => {
    const allowed = new Set(["http/route.ts", "auth/principal.ts"]);
    const hits = files
      .filter((file) => !allowed.has(relative(root, file)))
      .filter((file) => /\bauthorize\(/.test(readFileSync(file, "utf8")));
    expect(hits.map((file) => relative(root, file))).toEqual([]);
  });

  it("route files are leaves: only app.ts imports a module that declares routes", () => {
    const http = join(root, "http", "route.ts");
    const declaresRoutes = (file: string) =>
      (graph.get(file) ?? []).includes(http) && /\broute\(\s*\{/.test(readFileSync(file, "utf8"));
    const routeModules = new Set(files.filter((file) => area(file) !== "http" && declaresRoutes(file)));
    expect(routeModules.size).toBeGreaterThan(10);
    const offending = files
      .filter((file) => relative(root, file) !== "app.ts")
      .flatMap((file) =>
        (graph.get(file) ?? [])
          .filter((target) => routeModules.has(target))
          .map((target) => `${relative(root, file)} → ${relative(root, target)}`),
      );
    expect(offending).toEqual([]);
  });

  it("only the queue entry point imports the events consumer", () => {
    const consumer = join(root, "events", "consumer.ts");
    const importers = files.filter((file) => (graph.get(file) ?? []).includes(consumer));
    expect(importers.map((file) => relative(root, file))).toEqual(["index.ts"]);
  });

  it("bindings never reach into events: windows decide, events/windows.ts records what their ends do", () => {
    const offending = files
      .filter((file) => area(file) === "bindings")
      .flatMap((file) =>
        (graph.get(file) ?? [])
          .filter((target) => area(target) === "events")
          .map((target) => `${relative(root, file)} → ${relative(root, target)}`),
      );
    expect(offending).toEqual([]);
  });

  it("clusters never import the event log's store (queue depth comes through an events service)", () => {
    const store = join(root, "events", "store.ts");
    const offending = files
      .filter((file) => area(file) === "clusters" && (graph.get(file) ?? []).includes(store))
      .map((file) => relative(root, file));
    expect(offending).toEqual([]);
  });

  it("Worker secrets resolve in one place: no env cast to a record", () => {
    const casts = files.filter((file) => /as unknown as Record<string, unknown>/.test(readFileSync(file, "utf8")));
    expect(casts.map((file) => relative(root, file))).toEqual([]);
  });

  it("no code generation from strings (workerd forbids it)", () => {
    const hits = files.filter((file) => /\bnew Function\(|[^a-zA-Z_.$]eval\(/.test(readFileSync(file, "utf8")));
    expect(hits.map((file) => relative(root, file))).toEqual([]);
  });
});
