import type { Child } from "hono/jsx";
import type { Principal } from "../auth/principal";
import { hasAllNamespaces, hasScope } from "../auth/principal";

/**
 * The headers every HTML page of hookline carries (the console, the one-time link pages): no
 * scripts at all, styles from our own stylesheet, forms only to ourselves, never framed, and
 * referrers only to ourselves (same-origin, not no-referrer: with no-referrer browsers send
 * `Origin: null` on form posts).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

/** The page frame: navigation by the principal's scopes, a sign-out form with its CSRF token. */
export function Layout(props: {
  title: string;
  principal?: Principal;
  csrf?: string;
  namespace?: string;
  children: Child;
}) {
  const { principal, csrf } = props;
  const ns =
    props.namespace ?? (principal && !principal.namespaces.includes("*") ? principal.namespaces[0] : undefined);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · hookline`}</title>
        <link rel="stylesheet" href="/ui/assets/console.css" />
      </head>
      <body>
        <header>
          <a class="brand" href="/ui">
            hookline
          </a>
          {principal ? (
            <nav>
              <a href="/ui">Overview</a>
              {hasScope(principal, "events:read") && (
                <a href={ns ? `/ui/namespaces/${ns}/events` : "/ui/events"}>Events</a>
              )}
              {hasScope(principal, "bindings:read") && (
                <a href={ns ? `/ui/namespaces/${ns}/workfloweventbindings` : "/ui/workfloweventbindings"}>Bindings</a>
              )}
              {hasScope(principal, "approvals:read") && (
                <a href={ns ? `/ui/namespaces/${ns}/approvals` : "/ui/approvals"}>Approvals</a>
              )}
              {hasScope(principal, "notifications:read") && <a href="/ui/notifications/deliveries">Deliveries</a>}
              {hasScope(principal, "notifications:read") && hasAllNamespaces(principal) && (
                <a href="/ui/notifications/templates">Templates</a>
              )}
              {hasScope(principal, "events:read") && (
                <a href={ns ? `/ui/namespaces/${ns}/deadletters` : "/ui/deadletters"}>Dead letters</a>
              )}
              {hasScope(principal, "admin") && <a href="/ui/clusters">Clusters</a>}
            </nav>
          ) : (
            <nav />
          )}
          {principal && csrf && (
            <form method="post" action="/ui/logout">
              <span class="muted">{principal.kind === "admin" ? "admin" : principal.name} </span>
              <input type="hidden" name="_csrf" value={csrf} />
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** A coloured status badge. */
export function Badge(props: { value: string }) {
  return <span class={`badge ${props.value}`}>{props.value}</span>;
}

/** A hidden CSRF field for a form. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A list filter: a labelled select of `values` ("" shown as "any"), `current` selected. */
export function FilterSelect(props: {
  label: string;
  name: string;
  values: readonly string[];
  current: string | undefined;
}) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        {["", ...props.values].map((value) => (
          <option value={value} selected={value === (props.current ?? "")}>
            {value || "any"}
          </option>
        ))}
      </select>
    </label>
  );
}
