export function BindingsPage(props: {
  namespace: string;
  bindings: Array<{ name: string; selector: string; template: string; cluster: string }>;
}) {
  return (
    <>
      <h1>WorkflowEventBindings in {props.namespace}</h1>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Selector</th>
              <th>Template</th>
              <th>Cluster</th>
            </tr>
          </thead>
          <tbody>
            {props.bindings.map((binding) => (
              <tr>
                <td>
                  <a href={`/ui/namespaces/${props.namespace}/workfloweventbindings/${binding.name}`}>{binding.name}</a>
                </td>
                <td>
                  <code>{binding.selector}</code>
                </td>
                <td>{binding.template}</td>
                <td>{binding.cluster}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.bindings.length === 0 && <p class="muted">No bindings yet.</p>}
    </>
  );
}
