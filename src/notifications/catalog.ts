import type { TriggerSpec } from "./schema";

/** A trigger definition; without `expressionLanguage` its expressions are JSONata. */
export type TriggerDefinition = Pick<TriggerSpec, "conditions"> & {
  expressionLanguage?: TriggerSpec["expressionLanguage"];
};

/**
 * Triggers available without configuring anything: the Argo CD notifications catalog (with the
 * conditions from its default configuration, as JSONata), and hookline's own events. A trigger
 * applied with the same name replaces the built-in one.
 */
export const BUILT_IN_TRIGGERS: Record<string, TriggerDefinition> = {
  "on-deployed": {
    conditions: [
      {
        description: "Application is synced and healthy. Triggered once per commit.",
        when: 'app.status.operationState.phase in ["Succeeded"] and app.status.health.status = "Healthy"',
        oncePer: "app.status.sync.revision",
        send: ["app-deployed"],
      },
    ],
  },
  "on-health-degraded": {
    conditions: [
      {
        description: "Application has degraded",
        when: 'app.status.health.status = "Degraded"',
        send: ["app-health-degraded"],
      },
    ],
  },
  "on-sync-failed": {
    conditions: [
      {
        description: "Application syncing has failed",
        when: '$exists(app.status.operationState) and app.status.operationState.phase in ["Error", "Failed"]',
        send: ["app-sync-failed"],
      },
    ],
  },
  "on-sync-running": {
    conditions: [
      {
        description: "Application is being synced",
        when: '$exists(app.status.operationState) and app.status.operationState.phase in ["Running"]',
        send: ["app-sync-running"],
      },
    ],
  },
  "on-sync-status-unknown": {
    conditions: [
      {
        description: "Application status is 'Unknown'",
        when: 'app.status.sync.status = "Unknown"',
        send: ["app-sync-status-unknown"],
      },
    ],
  },
  "on-sync-succeeded": {
    conditions: [
      {
        description: "Application syncing has succeeded",
        when: '$exists(app.status.operationState) and app.status.operationState.phase in ["Succeeded"]',
        send: ["app-sync-succeeded"],
      },
    ],
  },
  "on-workflow-submitted": {
    conditions: [
      {
        description: "A binding submitted a workflow",
        when: 'app.type = "workflow.submitted"',
        send: ["workflow-submitted"],
      },
    ],
  },
  "on-event-failed": {
    conditions: [
      {
        description: "An event failed to submit its workflows",
        when: 'app.type = "event.failed"',
        send: ["event-failed"],
      },
    ],
  },
  "on-approval-requested": {
    conditions: [
      {
        description: "An approval gate was created",
        when: 'app.type = "approval.requested"',
        send: ["approval-requested"],
      },
    ],
  },
  "on-approval-decided": {
    conditions: [
      {
        description: "An approval gate was decided",
        when: 'app.type = "approval.decided"',
        send: ["approval-decided"],
      },
    ],
  },
  "on-approval-overridden": {
    conditions: [
      {
        description: "An approval was given past a change window, with a reason (break-glass)",
        when: 'app.type = "approval.overridden"',
        send: ["approval-overridden"],
      },
    ],
  },
  "on-approval-timed-out": {
    conditions: [
      {
        description: "An approval gate timed out",
        when: 'app.type = "approval.timed_out"',
        send: ["approval-timed-out"],
      },
    ],
  },
  "on-cluster-down": {
    conditions: [
      {
        description: "A cluster's circuit breaker opened: submissions to it wait",
        when: 'app.type = "cluster.down"',
        send: ["cluster-down"],
      },
    ],
  },
  "on-cluster-recovered": {
    conditions: [
      {
        description: "A cluster answers again: its circuit breaker closed",
        when: 'app.type = "cluster.recovered"',
        send: ["cluster-recovered"],
      },
    ],
  },
  "on-event-log-near-full": {
    conditions: [
      {
        description: "An event-log shard nears EVENT_LOG_SHARD_LIMIT_BYTES: its oldest detail is being dropped",
        when: 'app.type = "event-log.near-full"',
        send: ["event-log-near-full"],
      },
    ],
  },
};

/**
 * The triggers of hookline's own events (approvals, workflows, failed events, clusters) and the
 * built-in templates they send. They fire only for events hookline itself produced, never for a
 * posted resource — whatever its fields say — so nothing a user posts can stand in for an
 * approval request or announce a decision (a trigger applied under one of these names is bound
 * the same way).
 */
const HOOKLINE_EVENT_TRIGGER_PREFIXES = ["on-approval-", "on-workflow-", "on-event-", "on-cluster-"];

/** True for a trigger of hookline's own events. */
export function isHooklineEventTrigger(name: string): boolean {
  return HOOKLINE_EVENT_TRIGGER_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** True for a built-in template that renders hookline's own events (approval-requested, workflow-submitted…). */
export function isHooklineEventTemplate(name: string): boolean {
  for (const [trigger, definition] of Object.entries(BUILT_IN_TRIGGERS)) {
    if (!isHooklineEventTrigger(trigger)) continue;
    if (definition.conditions.some((condition) => condition.send.includes(name))) return true;
  }
  return false;
}
