// Vitest global setup for the workerd tests: starts the fake cluster (Argo Server + Kubernetes
// API) on 127.0.0.1 and hands its address to the Worker as a binding.
import type { TestProject } from "vitest/node";
import { startFakeCluster } from "./argo-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    fakeClusterUrl: string;
    fakeClusterToken: string;
  }
}

export default async function setup(project: TestProject) {
  const cluster = await startFakeCluster();
  project.provide("fakeClusterUrl", cluster.url);
  project.provide("fakeClusterToken", cluster.token);
  return () => cluster.close();
}
