/** The console's stylesheet (served from /ui/assets/console.css so the CSP needs no inline styles). */
export const CONSOLE_CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0969da;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; line-height: 1.45; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; padding: .6rem 1rem;
  border-bottom: 1px solid var(--line); background: var(--bg); }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; flex: 1; }
header a { color: var(--accent); text-decoration: none; }
header form { margin: 0; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto;
  font-size: .85rem; white-space: pre-wrap; word-break: break-word; }
textarea { width: 100%; min-height: 14rem; font-family: ui-monospace, monospace; font-size: .85rem; }
input, select, textarea, button { font: inherit; }
input[type=text], input[type=password], select { padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; }
button { padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); cursor: pointer; }
button.primary { background: var(--ok); color: #fff; border-color: var(--ok); }
button.danger { background: var(--bad); color: #fff; border-color: var(--bad); }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .75rem; text-decoration: none; color: var(--fg); display: block; }
.card .value { font-size: 1.6rem; font-weight: 700; }
.card .label { color: var(--muted); font-size: .85rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem; border: 1px solid var(--line); }
.badge.submitted, .badge.approved, .badge.delivered, .badge.set { color: var(--ok); border-color: var(--ok); }
.badge.failed, .badge.rejected, .badge.partially_failed, .badge.timed_out { color: var(--bad); border-color: var(--bad); }
.badge.pending, .badge.sending, .badge.waiting, .badge.held { color: var(--warn); border-color: var(--warn); }
.notice { padding: .6rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); margin-bottom: 1rem; }
.notice.error { border-color: var(--bad); color: var(--bad); }
.muted { color: var(--muted); }
.chart { width: 100%; height: 8rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; margin-bottom: .75rem; }
.chart polyline { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
.markdown { border-left: 3px solid var(--line); padding-left: .75rem; }
.login { max-width: 24rem; margin: 3rem auto; }
.login input { width: 100%; margin: .5rem 0 1rem; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
@media (max-width: 40rem) { main { padding: .75rem; } th, td { padding: .3rem; } }
`;
