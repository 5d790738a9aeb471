// Vitest global setup for the workerd tests: starts the fake cluster (Argo Server + Kubernetes
// API), the webhook receiver and the fake GitHub API on 127.0.0.1 and hands their addresses to
// the Worker as bindings.
import type { TestProject } from "vitest/node";
import { startFakeCluster } from "./argo-cluster";
import { startFakeGitHub } from "./github";
import { startReceiver } from "./receiver";

declare module "vitest" {
  export interface ProvidedContext {
    fakeClusterUrl: string;
    fakeClusterToken: string;
    receiverUrl: string;
    fakeGitHubUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [cluster, receiver, github] = await Promise.all([startFakeCluster(), startReceiver(), startFakeGitHub()]);
  project.provide("fakeClusterUrl", cluster.url);
  project.provide("fakeClusterToken", cluster.token);
  project.provide("receiverUrl", receiver.url);
  project.provide("fakeGitHubUrl", github.url);
  return async () => {
    await Promise.all([cluster.close(), receiver.close(), github.close()]);
  };
}
