export function ErrorPage(props: { status: number; message: string }) {
  return (
    <>
      <h1>{props.status === 403 ? "Not allowed" : props.status === 404 ? "Not found" : "Something went wrong"}</h1>
      <p class="notice error">{props.message}</p>
      <p>
        <a href="/ui">Back to the overview</a>
      </p>
    </>
  );
}
