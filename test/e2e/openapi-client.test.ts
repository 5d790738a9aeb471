import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import openapiTS, { type OpenAPI3 } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";

// A typed client from the served OpenAPI document, as users make one: openapi-typescript turns
// /api/v1/openapi.json into types, and a small openapi-fetch client must type-check against them
// — reading `id` from an event's answer and `items` from a list — while an undocumented path
// must not compile.

let worker: RunningWorker;
const dir = join(root, ".wrangler", "tmp", "openapi-client");

beforeAll(async () => {
  worker = await startWorker();
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const CLIENT = `import createClient from "openapi-fetch";
import type { paths } from "./api";

const client = createClient<paths>({ baseUrl: "http://localhost:8787" });
type IsNever<T> = [T] extends [never] ? true : false;

export async function sendAndList(): Promise<string> {
  const sent = await client.POST("/api/v1/events/{namespace}/{discriminator}", {
    params: { path: { namespace: "team-a", discriminator: "github" } },
    body: { hello: "world" },
  });
  const eventAnswerIsTyped: IsNever<typeof sent.data> = false;
  const id: string = sent.data?.id ?? "";
  const listed = await client.GET("/api/v1/namespaces/{namespace}/workfloweventbindings", {
    params: { path: { namespace: "team-a" } },
  });
  const names: string[] = (listed.data?.items ?? []).map((binding) => binding.metadata.name);
  const gate = await client.GET("/api/v1/namespaces/{namespace}/approvals/{id}", {
    params: { path: { namespace: "team-a", id } },
  });
  const status: "pending" | "approved" | "rejected" | "failed" | "timed_out" | undefined = gate.data?.status;
  // @ts-expect-error an undocumented path does not compile
  await client.GET("/api/v1/no-such-route");
  return [eventAnswerIsTyped, id, names.join(","), status].join(" ");
}
`;

/** The served document, turned into types by openapi-typescript. */
async function generatedTypes(): Promise<string> {
  const document = (await (await fetch(`${worker.url}/api/v1/openapi.json`)).json()) as OpenAPI3;
  return openapiTS(document);
}

function typeCheck(files: Record<string, string>): { code: number | null; output: string } {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM"],
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: Object.keys(files),
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
    cwd: root,
    encoding: "utf8",
  });
  return { code: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
}

describe("a typed client from /api/v1/openapi.json", () => {
  it("type-checks: an event's id, a list's items, a gate's status; an undocumented path does not compile", async () => {
    const types = await generatedTypes();
    const checked = typeCheck({ "api.d.ts": types, "client.ts": CLIENT });
    expect(checked.output).toBe("");
    expect(checked.code).toBe(0);
  });

  it("the same check fails for a client that reads a field the document does not promise", async () => {
    const types = await generatedTypes();
    const wrong = CLIENT.replace("sent.data?.id", "sent.data?.identifier");
    const checked = typeCheck({ "api.d.ts": types, "client.ts": wrong });
    expect(checked.code).not.toBe(0);
    expect(checked.output).toContain("identifier");
  });
});
