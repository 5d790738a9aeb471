// Go templates Argo CD users write (the seed's DingTalk templates, Argo CD's catalog and docs),
// with the data they see and the text Go's text/template produces for them.

export const APP = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name: "guestbook", namespace: "argocd", labels: { team: "web" }, annotations: {} },
  spec: {
    project: "default",
    source: { repoURL: "https://github.com/acme/guestbook.git", targetRevision: "HEAD", path: "k8s" },
    destination: { namespace: "web" },
  },
  status: {
    sync: { status: "Synced", revision: "59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5" },
    health: { status: "Healthy" },
    operationState: {
      phase: "Succeeded",
      message: "successfully synced (all tasks run)",
      startedAt: "2026-11-25T10:00:00Z",
      finishedAt: "2026-11-25T10:01:02Z",
      syncResult: {
        revision: "59b20b8d",
        resources: [
          { kind: "Deployment", name: "guestbook-ui", status: "Synced" },
          { kind: "Service", name: "guestbook-ui", status: "Synced" },
        ],
      },
    },
    conditions: [
      { type: "SyncError", message: "one" },
      { type: "OrphanedResourceWarning", message: "two" },
    ],
    summary: { images: ["nginx:1.27", "redis:7"] },
  },
};

export const DATA = {
  app: APP,
  context: { argocdUrl: "https://argocd.example.com" },
  serviceType: "webhook",
  recipient: "dingtalk",
};

export interface TemplateCase {
  name: string;
  template: string;
  data?: Record<string, unknown>;
  expected: string;
}

export const TEMPLATE_CORPUS: TemplateCase[] = [
  {
    name: "seed: app-sync-change (DingTalk markdown)",
    template:
      '{\n  "msgtype": "markdown",\n  "markdown": {\n    "title":"Argo CD application status",\n    "text": "### Argo CD application status\\n> - Application name: {{.app.metadata.name}}\\n> - Status: {{ .app.status.operationState.phase}}\\n> - Time:{{.app.status.operationState.finishedAt}}\\n> - Application URL: [Click to access]({{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true) \\n"\n  }\n}\n',
    expected:
      '{\n  "msgtype": "markdown",\n  "markdown": {\n    "title":"Argo CD application status",\n    "text": "### Argo CD application status\\n> - Application name: guestbook\\n> - Status: Succeeded\\n> - Time:2026-11-25T10:01:02Z\\n> - Application URL: [Click to access](https://argocd.example.com/applications/guestbook?operation=true) \\n"\n  }\n}\n',
  },
  {
    name: "seed: app-sync-status-unknown (coloured fields)",
    template:
      '> - <font color=\\"warning\\">Application status</font>: {{.app.status.sync.status}}\\n> - <font color=\\"warning\\">Application health status</font>: {{.app.status.health.status}}',
    expected:
      '> - <font color=\\"warning\\">Application status</font>: Synced\\n> - <font color=\\"warning\\">Application health status</font>: Healthy',
  },
  {
    name: "seed: app-sync-failed",
    template: "{{.app.metadata.name}} {{.app.status.operationState.phase}} at {{.app.status.operationState.startedAt}}",
    expected: "guestbook Succeeded at 2026-11-25T10:00:00Z",
  },
  {
    name: "missing key prints <no value>",
    template: "revision: {{.app.status.sync.missing}}",
    expected: "revision: <no value>",
  },
  { name: "nested map prints like fmt", template: "{{.app.metadata.labels}}", expected: "map[team:web]" },
  { name: "list prints like fmt", template: "{{.app.status.summary.images}}", expected: "[nginx:1.27 redis:7]" },
  {
    name: "if / else",
    template: '{{if eq .app.status.health.status "Healthy"}}ok{{else}}not ok{{end}}',
    expected: "ok",
  },
  {
    name: "else if chain",
    template:
      '{{if eq .app.status.sync.status "OutOfSync"}}drift{{else if eq .app.status.sync.status "Synced"}}in sync{{else}}?{{end}}',
    expected: "in sync",
  },
  {
    name: "and / or / not",
    template: '{{if and .app.status.health (not .app.status.missing)}}yes{{end}}-{{or .app.status.missing "fallback"}}',
    expected: "yes-fallback",
  },
  {
    name: "range over a list with index and element",
    template: "{{range $index, $c := .app.status.conditions}}{{$index}}:{{$c.type}};{{end}}",
    expected: "0:SyncError;1:OrphanedResourceWarning;",
  },
  {
    name: "range with dot",
    template: "{{range .app.status.operationState.syncResult.resources}}- {{.kind}}/{{.name}}\n{{end}}",
    expected: "- Deployment/guestbook-ui\n- Service/guestbook-ui\n",
  },
  {
    name: "range over an empty list takes else",
    template: "{{range .app.status.nothing}}x{{else}}none{{end}}",
    expected: "none",
  },
  {
    name: "range over a map in key order",
    template: "{{range $k, $v := .app.spec.source}}{{$k}}={{$v}} {{end}}",
    expected: "path=k8s repoURL=https://github.com/acme/guestbook.git targetRevision=HEAD ",
  },
  {
    name: "with changes dot",
    template: "{{with .app.status.operationState}}{{.phase}} ({{.message}}){{end}}",
    expected: "Succeeded (successfully synced (all tasks run))",
  },
  { name: "with else", template: "{{with .app.status.missing}}{{.}}{{else}}nothing{{end}}", expected: "nothing" },
  {
    name: "$ is the root inside range",
    template: "{{range .app.status.summary.images}}{{.}}@{{$.app.metadata.name}} {{end}}",
    expected: "nginx:1.27@guestbook redis:7@guestbook ",
  },
  { name: "trim markers", template: 'a  {{- "b" -}}  \n  c', expected: "abc" },
  { name: "pipe into sprig trunc", template: "{{.app.status.sync.revision | trunc 7}}", expected: "59b20b8" },
  {
    name: "printf",
    template: '{{printf "%s has %d images" .app.metadata.name (len .app.status.summary.images)}}',
    expected: "guestbook has 2 images",
  },
  {
    name: "index into a list",
    template: '{{(index .app.status.conditions 1).type}} {{index .app.metadata.labels "team"}}',
    expected: "OrphanedResourceWarning web",
  },
  {
    name: "variables",
    template: "{{$name := .app.metadata.name}}{{$url := .context.argocdUrl}}{{$url}}/applications/{{$name}}",
    expected: "https://argocd.example.com/applications/guestbook",
  },
  {
    name: "serviceType switch (Argo CD's multi-service templates)",
    template: '{{if eq .serviceType "slack"}}:white_check_mark:{{else}}✅{{end}} {{.recipient}}',
    expected: "✅ dingtalk",
  },
  {
    name: "upper / lower / title",
    template: '{{upper .app.metadata.name}} {{lower "ABC"}} {{title "hello world"}}',
    expected: "GUESTBOOK abc Hello World",
  },
  {
    name: "default",
    template: '{{default "unknown" .app.status.missing}} {{.app.status.health.status | default "unknown"}}',
    expected: "unknown Healthy",
  },
  {
    name: "toJson and quote",
    template: "{{toJson .app.metadata.labels}} {{quote .app.metadata.name}}",
    expected: '{"team":"web"} "guestbook"',
  },
  { name: "comments disappear", template: "a{{/* a comment */}}b", expected: "ab" },
  {
    name: "newlines after actions are kept",
    template: "{{if true}}\nline\n{{end}}\nafter",
    expected: "\nline\n\nafter",
  },
  {
    name: "text with Eta-like delimiters stays text",
    template: "<% not eta %> {{.app.metadata.name}}",
    expected: "<% not eta %> guestbook",
  },
];
