// Go templates Argo CD users write (the seed's DingTalk templates, Argo CD's catalog and docs,
// sprig as people use it) and the corners of text/template's semantics, with the data they
// see. What each should render is not written here: the Go oracle (test/oracle) renders every
// case with Go's text/template + sprig, and hookline's interpreter must agree.

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
  numbers: { int: 3, float: 2.5, big: 1e21, small: 0.00001, negative: -12 },
  html: { text: "<b>&</b>" },
  context: { argocdUrl: "https://argocd.example.com" },
  serviceType: "webhook",
  recipient: "dingtalk",
};

export interface TemplateCase {
  name: string;
  template: string;
  data?: Record<string, unknown>;
}

export const TEMPLATE_CORPUS: TemplateCase[] = [
  {
    name: "seed: app-sync-change (DingTalk markdown)",
    template:
      '{\n  "msgtype": "markdown",\n  "markdown": {\n    "title":"Argo CD application status",\n    "text": "### Argo CD application status\\n> - Application name: {{.app.metadata.name}}\\n> - Status: {{ .app.status.operationState.phase}}\\n> - Time:{{.app.status.operationState.finishedAt}}\\n> - Application URL: [Click to access]({{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true) \\n"\n  }\n}\n',
  },
  {
    name: "seed: app-sync-status-unknown (coloured fields)",
    template:
      '> - <font color=\\"warning\\">Application status</font>: {{.app.status.sync.status}}\\n> - <font color=\\"warning\\">Application health status</font>: {{.app.status.health.status}}',
  },
  {
    name: "seed: app-sync-failed",
    template: "{{.app.metadata.name}} {{.app.status.operationState.phase}} at {{.app.status.operationState.startedAt}}",
  },
  {
    name: "missing key prints <no value>",
    template: "revision: {{.app.status.sync.missing}}",
  },
  { name: "nested map prints like fmt", template: "{{.app.metadata.labels}}" },
  { name: "list prints like fmt", template: "{{.app.status.summary.images}}" },
  {
    name: "if / else",
    template: '{{if eq .app.status.health.status "Healthy"}}ok{{else}}not ok{{end}}',
  },
  {
    name: "else if chain",
    template:
      '{{if eq .app.status.sync.status "OutOfSync"}}drift{{else if eq .app.status.sync.status "Synced"}}in sync{{else}}?{{end}}',
  },
  {
    name: "and / or / not",
    template: '{{if and .app.status.health (not .app.status.missing)}}yes{{end}}-{{or .app.status.missing "fallback"}}',
  },
  {
    name: "range over a list with index and element",
    template: "{{range $index, $c := .app.status.conditions}}{{$index}}:{{$c.type}};{{end}}",
  },
  {
    name: "range with dot",
    template: "{{range .app.status.operationState.syncResult.resources}}- {{.kind}}/{{.name}}\n{{end}}",
  },
  {
    name: "range over an empty list takes else",
    template: "{{range .app.status.nothing}}x{{else}}none{{end}}",
  },
  {
    name: "range over a map in key order",
    template: "{{range $k, $v := .app.spec.source}}{{$k}}={{$v}} {{end}}",
  },
  {
    name: "with changes dot",
    template: "{{with .app.status.operationState}}{{.phase}} ({{.message}}){{end}}",
  },
  { name: "with else", template: "{{with .app.status.missing}}{{.}}{{else}}nothing{{end}}" },
  {
    name: "$ is the root inside range",
    template: "{{range .app.status.summary.images}}{{.}}@{{$.app.metadata.name}} {{end}}",
  },
  { name: "trim markers", template: 'a  {{- "b" -}}  \n  c' },
  { name: "pipe into sprig trunc", template: "{{.app.status.sync.revision | trunc 7}}" },
  {
    name: "printf",
    template: '{{printf "%s has %d images" .app.metadata.name (len .app.status.summary.images)}}',
  },
  {
    name: "index into a list",
    template: '{{(index .app.status.conditions 1).type}} {{index .app.metadata.labels "team"}}',
  },
  {
    name: "variables",
    template: "{{$name := .app.metadata.name}}{{$url := .context.argocdUrl}}{{$url}}/applications/{{$name}}",
  },
  {
    name: "serviceType switch (Argo CD's multi-service templates)",
    template: '{{if eq .serviceType "slack"}}:white_check_mark:{{else}}✅{{end}} {{.recipient}}',
  },
  {
    name: "upper / lower / title",
    template: '{{upper .app.metadata.name}} {{lower "ABC"}} {{title "hello world"}}',
  },
  {
    name: "default",
    template: '{{default "unknown" .app.status.missing}} {{.app.status.health.status | default "unknown"}}',
  },
  {
    name: "toJson and quote",
    template: "{{toJson .app.metadata.labels}} {{quote .app.metadata.name}}",
  },
  { name: "comments disappear", template: "a{{/* a comment */}}b" },
  {
    name: "newlines after actions are kept",
    template: "{{if true}}\nline\n{{end}}\nafter",
  },
  {
    name: "text with Eta-like delimiters stays text",
    template: "<% not eta %> {{.app.metadata.name}}",
  },

  // Argo CD's catalog (notifications_catalog): messages, Slack attachments, Teams facts.
  {
    name: "catalog: app-deployed message",
    template:
      '{{if eq .serviceType "slack"}}:white_check_mark:{{end}} Application {{.app.metadata.name}} is now running new version of deployments manifests.\n',
  },
  {
    name: "catalog: slack attachments with conditions",
    template:
      '[{\n  "title": "{{ .app.metadata.name}}",\n  "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",\n  "color": "#18be52",\n  "fields": [\n  {\n    "title": "Sync Status",\n    "value": "{{.app.status.sync.status}}",\n    "short": true\n  },\n  {\n    "title": "Repository",\n    "value": "{{.app.spec.source.repoURL}}",\n    "short": true\n  },\n  {\n    "title": "Revision",\n    "value": "{{.app.status.sync.revision}}",\n    "short": true\n  }\n  {{range $index, $c := .app.status.conditions}}\n  ,\n  {\n    "title": "{{$c.type}}",\n    "value": "{{$c.message}}",\n    "short": true\n  }\n  {{end}}\n  ]\n}]',
  },
  {
    name: "catalog: teams facts with comma logic",
    template:
      '[{\n  "name": "Sync Status",\n  "value": "{{.app.status.sync.status}}"\n},\n{\n  "name": "Repository",\n  "value": "{{.app.spec.source.repoURL}}"\n}\n{{range $index, $c := .app.status.conditions}}\n  {{if not $index}},{{end}}\n  {{if $index}},{{end}}\n  {\n    "name": "{{$c.type}}",\n    "value": "{{$c.message}}"\n  }\n{{end}}\n]',
  },
  {
    name: "catalog: teams potentialAction with a repo helper in a pipeline",
    template:
      '[{\n  "@type":"OpenUri",\n  "name":"Open Repository",\n  "targets":[{\n    "os":"default",\n    "uri":"{{.app.spec.source.repoURL | call .repo.RepoURLToHTTPS}}"\n  }]\n}]',
  },
  {
    name: "catalog: app-sync-failed message",
    template:
      '{{if eq .serviceType "slack"}}:exclamation:{{end}}  The sync operation of application {{.app.metadata.name}} has failed at {{.app.status.operationState.finishedAt}} with the following error: {{.app.status.operationState.message}}\nSync operation details are available at: {{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true .\n',
  },
  {
    name: "catalog: app-deleted with deletion timestamp missing",
    template:
      '{{if eq .serviceType "slack"}}:exclamation:{{end}} Application {{.app.metadata.name}} has been deleted at {{.app.metadata.deletionTimestamp}}.',
  },
  { name: "repo: ssh URL to https", template: '{{call .repo.RepoURLToHTTPS "git@github.com:acme/guestbook.git"}}' },
  { name: "repo: full name", template: "{{call .repo.FullNameByRepoURL .app.spec.source.repoURL}}" },
  {
    name: "time: Parse then Format",
    template: '{{(call .time.Parse .app.status.operationState.startedAt).Format "2006-01-02 15:04"}}',
  },
  {
    name: "time: Format with a constant layout",
    template: "{{(call .time.Parse .app.status.operationState.finishedAt).Format .time.RFC1123}}",
  },
  {
    name: "time: Sub gives a duration",
    template:
      "{{(call .time.Parse .app.status.operationState.finishedAt).Sub (call .time.Parse .app.status.operationState.startedAt)}}",
  },
  {
    name: "time: Before / After",
    template:
      "{{(call .time.Parse .app.status.operationState.startedAt).Before (call .time.Parse .app.status.operationState.finishedAt)}} {{(call .time.Parse .app.status.operationState.startedAt).After (call .time.Parse .app.status.operationState.finishedAt)}}",
  },
  { name: "time: Unix", template: "{{(call .time.Parse .app.status.operationState.startedAt).Unix}}" },
  { name: "time: a bad timestamp is an error", template: '{{call .time.Parse "yesterday"}}' },
  { name: "time: printed as Go prints it", template: "{{call .time.Parse .app.status.operationState.startedAt}}" },
  {
    name: "time: with an offset",
    template:
      '{{(call .time.Parse "2026-11-25T10:00:00.5+02:00").Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3PM"}}',
  },
  {
    name: "strings helpers",
    template:
      '{{call .strings.ToUpper .app.metadata.name}} {{call .strings.ReplaceAll .app.metadata.name "book" "BOOK"}}',
  },

  // text/template semantics.
  { name: "nil value prints <no value>", template: "[{{.app.status.nothing}}]" },
  { name: "a field of a missing key is no value, not an error", template: "[{{.app.status.missing.phase}}]" },
  { name: "a field of a nil value is an error", template: "{{.app.status.nothing.phase}}" },
  { name: "a field of a string is an error", template: "{{.app.metadata.name.first}}" },
  {
    name: "numbers print like Go's %v",
    template: "{{.numbers.int}} {{.numbers.float}} {{.numbers.big}} {{.numbers.small}} {{.numbers.negative}}",
  },
  { name: "integer literals and float literals", template: "{{3}} {{3.0}} {{1e3}} {{0x1F}} {{-7}} {{'a'}}" },
  { name: "eq between a JSON number and an int literal is an error", template: "{{if eq .numbers.int 3}}three{{end}}" },
  { name: "eq between a JSON number and a float literal", template: "{{if eq .numbers.int 3.0}}three{{end}}" },
  {
    name: "eq with several candidates",
    template: '{{if eq .app.status.sync.status "OutOfSync" "Synced"}}known{{end}}',
  },
  { name: "eq with a missing value", template: '{{if eq .app.status.missing "x"}}same{{else}}different{{end}}' },
  { name: "ne / lt / gt on strings", template: '{{ne "a" "b"}} {{lt "a" "b"}} {{gt "a" "b"}} {{le 1 1}} {{ge 2 3}}' },
  { name: "lt between a string and a number is an error", template: '{{lt "a" 1}}' },
  {
    name: "len of a string counts bytes",
    template: '{{len "héllo"}} {{len .app.status.conditions}} {{len .app.metadata.labels}}',
  },
  { name: "len of a missing value is an error", template: "{{len .app.status.missing}}" },
  { name: "index out of range is an error", template: "{{index .app.status.conditions 5}}" },
  { name: "index of a map with a missing key", template: '[{{index .app.metadata.labels "nope"}}]' },
  { name: "index with a JSON number is an error", template: "{{index .app.status.conditions .numbers.int}}" },
  { name: "and returns the deciding value", template: '{{and 1 0 "x"}} {{and "a" "b"}} {{or 0 "" "c"}} {{or 0 ""}}' },
  {
    name: "and short-circuits past an error",
    template: "{{if and false (index .app.status.conditions 9)}}x{{else}}skipped{{end}}",
  },
  {
    name: "not of values",
    template: '{{not 0}} {{not ""}} {{not .app.status.conditions}} {{not .app.status.missing}}',
  },
  {
    name: "print / println / printf verbs",
    template:
      '{{print 1 2 "a" "b" 3}}|{{println "x" 1}}|{{printf "%5s|%-5s|%05d|%.2f|%q|%v|%t|%x" "ab" "cd" 42 3.14159 "q" .app.metadata.labels true 255}}',
  },
  { name: "printf with a JSON number and %d", template: '{{printf "%d" .numbers.int}}' },
  { name: "printf with too few arguments", template: '{{printf "%s %s" "one"}}' },
  {
    name: "printf refuses a width or precision over a million",
    template: '{{printf "%999999999d|%.9999999f|%*d|" 1 2.5 2000000 3}}',
  },
  {
    name: "html / js / urlquery escaping",
    template: `{{html "<a href='x'>&</a>"}} {{js "it's "q""}} {{urlquery "a b&c=d/é"}}`,
  },
  {
    name: "variable assignment inside range",
    template: '{{$last := ""}}{{range .app.status.conditions}}{{$last = .type}}{{end}}{{$last}}',
  },
  {
    name: "break and continue",
    template:
      "{{range $i, $c := .app.status.conditions}}{{if eq $i 1}}{{break}}{{end}}{{$c.type}}{{end}}|{{range $i, $c := .app.status.conditions}}{{if eq $i 0}}{{continue}}{{end}}{{$c.type}}{{end}}",
  },
  { name: "range over a number is an error", template: "{{range 3}}x{{end}}" },
  { name: "range over a string is an error", template: "{{range .app.metadata.name}}x{{end}}" },
  {
    name: "define and template",
    template: '{{define "row"}}<{{.type}}>{{end}}{{range .app.status.conditions}}{{template "row" .}}{{end}}',
  },
  { name: "block", template: '{{block "name" .app.metadata}}{{.name}}{{end}}' },
  {
    name: "parenthesized pipelines and chains",
    template: "{{(index .app.status.conditions 0).message | upper}} {{(.app.status.health).status}}",
  },
  {
    name: "trim markers around newlines",
    template: "{{- range .app.status.conditions }}\n  - {{ .type }}\n{{- end }}\n",
  },
  { name: "comment with trim markers", template: "a  {{- /* gone */ -}}  b" },
  { name: "a function given to a field with arguments is an error", template: "{{.app.metadata.name 1}}" },
  { name: "raw strings", template: '{{`a\\nb`}} {{"a\\tb"}}' },
  { name: "unknown function is a parse error", template: "{{nope .app}}" },
  { name: "undefined variable is a parse error", template: "{{$nope}}" },
  { name: "unclosed action is a parse error", template: "{{.app" },
  { name: "missing end is a parse error", template: "{{if .app}}x" },
  { name: "else without if is a parse error", template: "{{else}}" },

  // sprig as people use it.
  {
    name: "sprig: trunc, substr, replace, repeat",
    template:
      '{{trunc 7 .app.status.sync.revision}} {{trunc -4 .app.status.sync.revision}} {{substr 0 5 .app.metadata.name}} {{replace "book" "BOOK" .app.metadata.name}} {{repeat 3 "ab"}}',
  },
  { name: "sprig: trunc with a JSON number is an error", template: "{{trunc .numbers.int .app.metadata.name}}" },
  { name: "sprig: upper on a number is an error", template: "{{upper .numbers.int}}" },
  { name: "sprig: upper on a missing value is an error", template: "{{upper .app.status.missing}}" },
  {
    name: "sprig: contains / hasPrefix / hasSuffix",
    template:
      '{{contains "book" .app.metadata.name}} {{hasPrefix "guest" .app.metadata.name}} {{hasSuffix "x" .app.metadata.name}}',
  },
  {
    name: "sprig: trim family",
    template:
      '[{{trim "  a b  "}}] [{{trimAll "-" "--a-b--"}}] [{{trimPrefix "refs/heads/" "refs/heads/main"}}] [{{trimSuffix ".git" .app.spec.source.repoURL}}]',
  },
  { name: "sprig: indent and nindent", template: '{{indent 2 "a\nb"}}|{{nindent 4 "c"}}' },
  {
    name: "sprig: quote, squote, cat",
    template: '{{quote "a" 1 .app.status.missing}} {{squote "b"}} {{cat "a" 1 true .app.status.missing}}',
  },
  {
    name: "sprig: split, splitList, join",
    template:
      '{{(split "/" "refs/heads/main")._2}} {{splitList "/" "a/b/c"}} {{join "," (splitList "/" "a/b/c")}} {{join "-" .app.status.summary.images}}',
  },
  {
    name: "sprig: default with empties",
    template:
      '{{default "d" ""}} {{default "d" 0}} {{default "d" .app.status.conditions}} {{default "d" false}} {{default 5 .app.status.nothing}}',
  },
  {
    name: "sprig: empty / coalesce / ternary",
    template:
      '{{empty ""}} {{empty .app.metadata}} {{coalesce .app.status.missing "" "c"}} {{ternary "yes" "no" true}}',
  },
  { name: "sprig: toJson escapes HTML, toRawJson does not", template: "{{toJson .html}} {{toRawJson .html}}" },
  {
    name: "sprig: toJson of numbers and nested values",
    template: "{{toJson .numbers}} {{toJson .app.status.conditions}}",
  },
  { name: "sprig: toPrettyJson", template: "{{toPrettyJson .app.metadata.labels}}" },
  {
    name: "sprig: list and dict",
    template:
      '{{list 1 "a" true}} {{dict "b" 2 "a" 1}} {{get (dict "k" "v") "k"}} {{hasKey .app.metadata.labels "team"}}',
  },
  {
    name: "sprig: first, last, rest, initial, reverse",
    template:
      "{{first .app.status.summary.images}} {{last .app.status.summary.images}} {{rest (list 1 2 3)}} {{initial (list 1 2 3)}} {{reverse (list 1 2 3)}}",
  },
  {
    name: "sprig: append, prepend, uniq, without, has, compact",
    template:
      '{{append (list 1) 2}} {{prepend (list 1) 0}} {{uniq (list 1 1 2)}} {{without (list 1 2 3) 2}} {{has "redis:7" .app.status.summary.images}} {{compact (list "" "a" 0 1)}}',
  },
  { name: "sprig: sortAlpha", template: '{{sortAlpha (list "b" "a" "C")}}' },
  {
    name: "sprig: arithmetic converts like spf13/cast",
    template:
      '{{add 1 2 3}} {{add .numbers.int 1}} {{sub 10 .numbers.float}} {{mul 2 3 4}} {{div 7 2}} {{mod 7 2}} {{add1 "41"}} {{max 1 5 3}} {{min 4 2}}',
  },
  {
    name: "sprig: int / int64 / float64 / atoi",
    template: '{{int "12"}} {{int64 .numbers.float}} {{float64 "1.5"}} {{atoi "42"}} {{atoi "x"}}',
  },
  { name: "sprig: b64enc / b64dec", template: '{{b64enc "hookline"}} {{b64dec "aG9va2xpbmU="}}' },
  {
    name: "sprig: regex functions",
    template:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${1} is Go regexp expansion, not a JS placeholder
      '{{regexMatch "^v[0-9]+" "v12"}} {{regexFind "[0-9]+" "abc123def"}} {{regexFindAll "[a-z]" "a1b2c3" 2}} {{regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W"}} {{regexReplaceAllLiteral "a(x*)b" "-ab-" "$1"}} {{regexSplit "z+" "pizza" -1}} {{regexSplit "a" "banana" 2}} {{regexReplaceAll "x*" "abxc" "-"}} {{regexReplaceAll "(?P<word>[a-z]+)" "hi there" "<$word>$$"}}',
  },
  {
    name: "sprig: date of a time",
    template:
      '{{date "2006-01-02" (call .time.Parse .app.status.operationState.startedAt)}} {{unixEpoch (call .time.Parse .app.status.operationState.startedAt)}} {{htmlDate (call .time.Parse .app.status.operationState.startedAt)}}',
  },
  { name: "sprig: duration of seconds", template: '{{duration 3725}} {{duration "90"}}' },
  {
    name: "sprig: title, untitle, initials, nospace",
    template:
      '{{title "hello wide-world"}} {{untitle "Hello World"}} {{initials "Argo Continuous Delivery"}} {{nospace "a b\tc"}}',
  },
  {
    name: "sprig: plural",
    template: '{{len .app.status.conditions}} {{plural "condition" "conditions" (len .app.status.conditions)}}',
  },
];
