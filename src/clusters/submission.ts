/**
 * The submission contract, owned by the cluster client: what the events consumer hands it for
 * one workflow, and the labels every workflow hookline submits carries (the event-id label is
 * how a retried submit recognises its own workflow).
 */

/** Labels every submitted workflow carries. */
export const EVENT_ID_LABEL = "hookline.dev/event-id";
export const BINDING_LABEL = "hookline.dev/binding";
export const ARGO_BINDING_LABEL = "workflows.argoproj.io/workflow-event-binding";
/** The annotation that carries the event's trace id (W3C, src/lib/trace.ts). */
export const TRACE_ID_ANNOTATION = "hookline.dev/trace-id";

/** One workflow to create on a cluster. Stored with the event's result, so a retry sends the same. */
export interface Submission {
  cluster: string;
  namespace: string;
  template: { name: string; clusterScope: boolean };
  workflowName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  parameters: Array<{ name: string; value: string }>;
}

/**
 * The submission for what a binding asked for (the same shape, without hookline's own labels),
 * labelled with the event and binding it comes from, annotated with the event's trace id.
 */
export function buildSubmission(
  request: Submission,
  origin: { eventId: string; binding: string; traceId?: string | undefined },
): Submission {
  return {
    cluster: request.cluster,
    namespace: request.namespace,
    template: { ...request.template },
    workflowName: request.workflowName,
    labels: {
      ...request.labels,
      [EVENT_ID_LABEL]: origin.eventId,
      [BINDING_LABEL]: origin.binding,
      [ARGO_BINDING_LABEL]: origin.binding,
    },
    annotations: { ...request.annotations, ...(origin.traceId ? { [TRACE_ID_ANNOTATION]: origin.traceId } : {}) },
    parameters: request.parameters.map((parameter) => ({ ...parameter })),
  };
}
