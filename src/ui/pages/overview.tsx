import type { Principal } from "../../auth/principal";
import { hasScope } from "../../auth/principal";

export interface OverviewData {
  perMinute: number[];
  outcomes: Record<string, number>;
  pendingApprovals: number | null;
  failedDeliveries: number | null;
  namespace: string | null;
}

/** Events per minute over 24 h as an inline SVG polyline. */
function Chart(props: { values: number[] }) {
  const max = Math.max(1, ...props.values);
  const points = props.values.map((value, i) => `${i},${(100 - (value / max) * 95).toFixed(1)}`).join(" ");
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${props.values.length} 100`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`events per minute, peak ${max}`}
    >
      <title>{`Events per minute over the last 24 hours (peak ${max}/min)`}</title>
      <polyline points={points} />
    </svg>
  );
}

export function OverviewPage(props: { data: OverviewData; principal: Principal }) {
  const { data } = props;
  const total = Object.values(data.outcomes).reduce((sum, n) => sum + n, 0);
  const share = (outcome: string) =>
    total === 0 ? "—" : `${Math.round(((data.outcomes[outcome] ?? 0) / total) * 100)}%`;
  const failed = (data.outcomes.failed ?? 0) + (data.outcomes.partially_failed ?? 0);
  const eventsLink = (outcome?: string) =>
    data.namespace ? `/ui/namespaces/${data.namespace}/events${outcome ? `?outcome=${outcome}` : ""}` : "/ui/events";
  return (
    <>
      <h1>Overview</h1>
      {hasScope(props.principal, "events:read") && (
        <>
          <h2>Events per minute, last 24 hours ({total} events)</h2>
          <Chart values={data.perMinute} />
          <div class="cards">
            <a class="card" href={eventsLink("submitted")}>
              <div class="value">{share("submitted")}</div>
              <div class="label">submitted ({data.outcomes.submitted ?? 0})</div>
            </a>
            <a class="card" href={eventsLink("no_match")}>
              <div class="value">{share("no_match")}</div>
              <div class="label">no match ({data.outcomes.no_match ?? 0})</div>
            </a>
            <a class="card" href={eventsLink("failed")}>
              <div class="value">{total === 0 ? "—" : `${Math.round((failed / total) * 100)}%`}</div>
              <div class="label">failed ({failed})</div>
            </a>
          </div>
        </>
      )}
      <div class="cards">
        {data.pendingApprovals !== null && (
          <a class="card" href={data.namespace ? `/ui/namespaces/${data.namespace}/approvals` : "/ui/approvals"}>
            <div class="value">{data.pendingApprovals}</div>
            <div class="label">pending approvals</div>
          </a>
        )}
        {data.failedDeliveries !== null && (
          <a class="card" href="/ui/notifications/deliveries?status=failed">
            <div class="value">{data.failedDeliveries}</div>
            <div class="label">failed deliveries</div>
          </a>
        )}
      </div>
    </>
  );
}
