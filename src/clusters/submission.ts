/**
 * The submission contract, owned by the cluster client: what the events consumer hands it for
 * one workflow, and the labels every workflow hookline submits carries (the event-id label is
 * how a retried submit recognises its own workflow).
 */

/** Labels every submitted workflow carries. */
export const EVENT_ID_LABEL = "hookline.dev/event-id";
export const BINDING_LABEL = "hookline.dev/binding";
export const ARGO_BINDING_LABEL = "workflows.argoproj.io/workflow-event-binding";

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

/** What a binding decided to submit for an event, before hookline's own labels are added. */
export interface WorkflowRequest {
  cluster: string;
  namespace: string;
  template: { name: string; clusterScope: boolean };
  workflowName: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  parameters: ReadonlyArray<{ name: string; value: string }>;
}

/** The submission for a binding's request, labelled with the event and binding it comes from. */
export function buildSubmission(request: WorkflowRequest, origin: { eventId: string; binding: string }): Submission {
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
    annotations: { ...request.annotations },
    parameters: request.parameters.map((parameter) => ({ ...parameter })),
  };
}
