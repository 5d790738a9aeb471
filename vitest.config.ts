import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Secrets the Worker under test runs with (wrangler reads them from process.env). */
process.env.HOOKLINE_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
process.env.HOOKLINE_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789";
process.env.WRANGLER_SEND_METRICS = "false";

/**
 * The Worker under test, on wrangler.toml's bindings plus the fakes' addresses; `extra` adds or
 * overrides vars and bindings (the sharded project's extra databases and queue).
 */
function workerUnderTest(
  migrations: Awaited<ReturnType<typeof readD1Migrations>>,
  extra: {
    bindings?: Record<string, string>;
    miniflare?: {
      d1Databases?: Record<string, string>;
      queueProducers?: Record<string, { queueName: string }>;
      queueConsumers?: Record<
        string,
        { maxBatchSize: number; maxBatchTimeout: number; maxRetries: number; deadLetterQueue: string }
      >;
    };
  } = {},
) {
  return cloudflareTest(({ inject }) => ({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        TEST_MIGRATIONS: migrations,
        FAKE_CLUSTER_URL: inject("fakeClusterUrl"),
        FAKE_CLUSTER_TOKEN: inject("fakeClusterToken"),
        RECEIVER_URL: inject("receiverUrl"),
        FAKE_GITHUB_URL: inject("fakeGitHubUrl"),
        // Callback URIs and chat links are built from PUBLIC_URL alone (npm start sets it too).
        PUBLIC_URL: "https://hookline.test",
        // Cloudflare Access in front of the console: a team whose keys the receiver serves.
        ACCESS_TEAM_DOMAIN: `${inject("receiverUrl")}/access/hookline-team`,
        ACCESS_AUD: "hookline-test-audience",
        // Notification pacing counts over 2 s instead of a minute, so paced bursts drain in a test.
        PACING_WINDOW_SECONDS: "2",
        ...extra.bindings,
      },
      ...extra.miniflare,
    },
  }));
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          // MIGRATION_CHECK: an extra, unmigrated database, where a test brings a log of an older
          // schema forward.
          plugins: [
            workerUnderTest(migrations, { miniflare: { d1Databases: { MIGRATION_CHECK: "migration-check" } } }),
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
          // The same Worker with its event log over three databases and its events over two queues.
          plugins: [
            workerUnderTest(migrations, {
              bindings: { EVENT_LOG_SHARDS: "DB,EVENT_LOG_2,EVENT_LOG_3", EVENT_QUEUE_SHARDS: "EVENTS,EVENTS_2" },
              miniflare: {
                d1Databases: { EVENT_LOG_2: "hookline-events-2", EVENT_LOG_3: "hookline-events-3" },
                queueProducers: { EVENTS_2: { queueName: "hookline-events-2" } },
                queueConsumers: {
                  "hookline-events-2": {
                    maxBatchSize: 100,
                    maxBatchTimeout: 0.2,
                    maxRetries: 10,
                    deadLetterQueue: "hookline-events-2-dlq",
                  },
                },
              },
            }),
          ],
          test: {
            name: "sharded",
            testTimeout: 30_000,
            include: ["test/sharded/**/*.test.ts"],
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
