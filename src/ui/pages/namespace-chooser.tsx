export function NamespaceChooser(props: { what: string; path: string; namespaces: string[] }) {
  return (
    <>
      <h1>{props.what}: choose a namespace</h1>
      {props.namespaces.length === 0 ? (
        <p class="muted">Nothing here yet.</p>
      ) : (
        <ul>
          {props.namespaces.map((ns) => (
            <li>
              <a href={`/ui/namespaces/${ns}/${props.path}`}>{ns}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
