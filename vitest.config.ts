import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Secrets the Worker under test runs with (wrangler reads them from process.env). */
process.env.HOOKLINE_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
process.env.HOOKLINE_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789";
process.env.WRANGLER_SEND_METRICS = "false";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  FAKE_CLUSTER_URL: inject("fakeClusterUrl"),
                  FAKE_CLUSTER_TOKEN: inject("fakeClusterToken"),
                  RECEIVER_URL: inject("receiverUrl"),
                },
                // A small per-sender limit so the 429 path is reachable in a test: 6 reservations
                // of 10 requests = 60 requests per 10 s.
                ratelimits: { INGEST_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 6, period: 10 } } },
              },
            })),
          ],
          test: {
            name: "worker",
            testTimeout: 30_000,
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["./test/worker/setup.ts"],
            globalSetup: ["./test/fakes/global-setup.ts"],
          },
        },
        {
          // Node-side code: the CLI's translators, checked against reference interpreters.
          test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
        },
        {
          // End-to-end: the Worker started as `npm start` starts it, driven over real HTTP.
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
