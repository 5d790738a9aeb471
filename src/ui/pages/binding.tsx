import { Csrf } from "../layout";

export interface DryRun {
  payload: string;
  discriminator: string;
  metadata: string;
  result?: unknown;
  error?: string;
}

export function BindingPage(props: {
  namespace: string;
  name: string;
  yaml: string;
  csrf: string;
  canEdit: boolean;
  /** `spec.paused`: submissions held until resumed. */
  paused: boolean;
  saveError?: string;
  saved?: string;
  dryRun: DryRun;
}) {
  const base = `/ui/namespaces/${props.namespace}/workfloweventbindings/${props.name}`;
  return (
    <>
      <h1>WorkflowEventBinding {props.name}</h1>
      {props.paused && (
        <p class="notice">Paused: its events are logged and matched, its submissions held until it is resumed.</p>
      )}
      {props.canEdit && (
        <form method="post" action={`${base}/${props.paused ? "resume" : "pause"}`}>
          <Csrf token={props.csrf} />
          <button type="submit">{props.paused ? "Resume" : "Pause"}</button>
        </form>
      )}
      {props.saved && <p class="notice">{props.saved}</p>}
      {props.saveError && <p class="notice error">{props.saveError}</p>}
      <div class="grid-2">
        <form method="post" action={base}>
          <h2>YAML</h2>
          <Csrf token={props.csrf} />
          <textarea name="yaml" aria-label="binding YAML" readonly={!props.canEdit}>
            {props.yaml}
          </textarea>
          {props.canEdit && <button type="submit">Save</button>}
        </form>
        <form method="post" action={`${base}/test`}>
          <h2>Dry run</h2>
          <Csrf token={props.csrf} />
          <label>
            Payload (JSON)
            <textarea name="payload" aria-label="payload">
              {props.dryRun.payload}
            </textarea>
          </label>
          <label>
            Discriminator <input type="text" name="discriminator" value={props.dryRun.discriminator} />
          </label>
          <label>
            Metadata (JSON, e.g. {'{"x-github-event": ["push"]}'})
            <input type="text" name="metadata" value={props.dryRun.metadata} />
          </label>
          <p>
            <button type="submit">Test</button>
          </p>
          {props.dryRun.error && <p class="notice error">{props.dryRun.error}</p>}
          {props.dryRun.result !== undefined && (
            <pre id="dry-run-result">{JSON.stringify(props.dryRun.result, null, 2)}</pre>
          )}
        </form>
      </div>
    </>
  );
}
