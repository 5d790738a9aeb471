export function LoginPage(props: { error?: string }) {
  return (
    <div class="login">
      <h1>Sign in to hookline</h1>
      {props.error && <p class="notice error">{props.error}</p>}
      <form method="post" action="/ui/login">
        <label for="token">API token or admin token</label>
        <input id="token" type="password" name="token" autocomplete="current-password" required />
        <button class="primary" type="submit">
          Sign in
        </button>
      </form>
      <p class="muted">The console shows what your token's scopes and namespaces allow.</p>
    </div>
  );
}
