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
                  // Notification pacing counts over 2 s instead of a minute, so paced bursts drain in a test.
                  PACING_WINDOW_SECONDS: "2",
                },
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
