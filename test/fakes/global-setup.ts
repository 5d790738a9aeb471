// Vitest global setup for the workerd tests: starts the fake cluster (Argo Server + Kubernetes
// API) and the webhook receiver on 127.0.0.1 and hands their addresses to the Worker as bindings.
import type { TestProject } from "vitest/node";
import { startFakeCluster } from "./argo-cluster";
import { startReceiver } from "./receiver";

declare module "vitest" {
  export interface ProvidedContext {
    fakeClusterUrl: string;
    fakeClusterToken: string;
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [cluster, receiver] = await Promise.all([startFakeCluster(), startReceiver()]);
  project.provide("fakeClusterUrl", cluster.url);
  project.provide("fakeClusterToken", cluster.token);
  project.provide("receiverUrl", receiver.url);
  return async () => {
    await Promise.all([cluster.close(), receiver.close()]);
  };
}
