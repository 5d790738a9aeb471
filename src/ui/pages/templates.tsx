/** A stored notification template in the console: its Go-template fields and the triggers that send it. */
export interface TemplateItem {
  name: string;
  fields: Array<[string, string]>;
  triggers: string[];
}

export function TemplatesPage(props: { templates: TemplateItem[] }) {
  return (
    <>
      <h1>Notification templates</h1>
      <p class="muted">
        Argo CD templates (Go text/template with sprig), rendered when a notification is sent: an edit applied with the
        API or <code>hookline apply</code> takes effect at once. Names not listed here are hookline's built-in
        templates.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Fields</th>
              <th>Sent by</th>
            </tr>
          </thead>
          <tbody>
            {props.templates.map((template) => (
              <tr>
                <td>
                  <a href={`/ui/notifications/templates/${template.name}`}>{template.name}</a>
                </td>
                <td>{template.fields.map(([field]) => field).join(", ")}</td>
                <td>{template.triggers.join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.templates.length === 0 && (
        <p class="muted">
          No templates yet: <code>hookline import argocd-notifications -f argocd-notifications-cm.yaml</code> brings
          Argo CD's.
        </p>
      )}
    </>
  );
}

export function TemplatePage(props: { template: TemplateItem }) {
  return (
    <>
      <h1>Template {props.template.name}</h1>
      <p class="muted">Sent by: {props.template.triggers.join(", ") || "no trigger yet"}</p>
      {props.template.fields.map(([field, source]) => (
        <section>
          <h2>
            <code>{field}</code>
          </h2>
          <pre>{source}</pre>
        </section>
      ))}
    </>
  );
}
