// Command oracle answers what the real Go libraries make of hookline's test corpora: expr
// selectors (github.com/antonmedv/expr, the library Argo Workflows and Argo CD evaluate with)
// and Go text/template with sprig (what Argo CD renders notification templates with).
//
// It reads one JSON document on stdin:
//
//	{"expr": [{"expression": "...", "env": {...}}], "templates": [{"template": "...", "data": {...}}]}
//
// and writes {"expr": [{"value": ...} | {"error": "..."}], "templates": [{"output": "..."} | {"error": "..."}]}.
// Built in GOPATH mode from Debian's packages (test/node/oracle.ts runs it).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
	"github.com/antonmedv/expr"
)

type exprCase struct {
	Expression string                 `json:"expression"`
	Env        map[string]interface{} `json:"env"`
}

type templateCase struct {
	Template string                 `json:"template"`
	Data     map[string]interface{} `json:"data"`
}

type request struct {
	Expr      []exprCase     `json:"expr"`
	Templates []templateCase `json:"templates"`
}

type answer struct {
	Value  interface{} `json:"value,omitempty"`
	Output *string     `json:"output,omitempty"`
	Error  string      `json:"error,omitempty"`
	// Kind says what Go type the value had (expr results), e.g. "time.Time" or "float64".
	Kind string `json:"kind,omitempty"`
}

// now is fixed so that time.Now() answers the same as the TypeScript side's clock in the tests.
var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// timeHelpers is Argo CD's `time` for triggers and templates: Now, Parse (RFC 3339) and Go's
// duration and layout constants.
func timeHelpers() map[string]interface{} {
	return map[string]interface{}{
		"Now": func() time.Time { return now },
		"Parse": func(timestamp string) time.Time {
			parsed, err := time.Parse(time.RFC3339, timestamp)
			if err != nil {
				panic(err)
			}
			return parsed
		},
		"Nanosecond":  time.Nanosecond,
		"Microsecond": time.Microsecond,
		"Millisecond": time.Millisecond,
		"Second":      time.Second,
		"Minute":      time.Minute,
		"Hour":        time.Hour,
		"RFC3339":     time.RFC3339,
		"RFC3339Nano": time.RFC3339Nano,
		"RFC1123":     time.RFC1123,
		"Kitchen":     time.Kitchen,
		"DateTime":    "2006-01-02 15:04:05",
		"DateOnly":    "2006-01-02",
		"TimeOnly":    "15:04:05",
	}
}

// stringsHelpers is Argo CD's `strings`.
func stringsHelpers() map[string]interface{} {
	return map[string]interface{}{
		"ReplaceAll": strings.ReplaceAll,
		"ToUpper":    strings.ToUpper,
		"ToLower":    strings.ToLower,
	}
}

// repoHelpers is the part of Argo CD's `repo` that needs no repository server.
func repoHelpers() map[string]interface{} {
	return map[string]interface{}{
		"RepoURLToHTTPS": repoURLToHTTPS,
		"FullNameByRepoURL": func(url string) string {
			url = strings.TrimSuffix(repoURLToHTTPS(url), ".git")
			for _, prefix := range []string{"https://", "http://"} {
				url = strings.TrimPrefix(url, prefix)
			}
			if slash := strings.Index(url, "/"); slash >= 0 {
				return url[slash+1:]
			}
			return url
		},
	}
}

// repoURLToHTTPS mirrors Argo CD: git@host:org/repo(.git) and ssh://git@host/org/repo → https://host/org/repo.
func repoURLToHTTPS(url string) string {
	if strings.HasPrefix(url, "git@") {
		url = "https://" + strings.Replace(strings.TrimPrefix(url, "git@"), ":", "/", 1)
	} else if strings.HasPrefix(url, "ssh://") {
		url = "https://" + strings.TrimPrefix(strings.TrimPrefix(url, "ssh://"), "git@")
	}
	return strings.TrimSuffix(url, ".git")
}

func sprigFunctions() map[string]interface{} {
	functions := sprig.GenericFuncMap()
	delete(functions, "env")
	delete(functions, "expandenv")
	return functions
}

func evalExpr(c exprCase) (result answer) {
	defer func() {
		if recovered := recover(); recovered != nil {
			result = answer{Error: fmt.Sprint(recovered)}
		}
	}()
	env := map[string]interface{}{
		"sprig":   sprigFunctions(),
		"time":    timeHelpers(),
		"strings": stringsHelpers(),
	}
	for key, value := range c.Env {
		env[key] = value
	}
	value, err := expr.Eval(c.Expression, env)
	if err != nil {
		return answer{Error: err.Error()}
	}
	kind := fmt.Sprintf("%T", value)
	switch typed := value.(type) {
	case time.Time:
		return answer{Value: typed.Format(time.RFC3339Nano), Kind: kind}
	case time.Duration:
		return answer{Value: int64(typed), Kind: kind}
	}
	if _, err := json.Marshal(value); err != nil {
		return answer{Value: fmt.Sprint(value), Kind: kind}
	}
	if value == nil {
		return answer{Kind: "nil"}
	}
	return answer{Value: value, Kind: kind}
}

func renderTemplate(c templateCase) (result answer) {
	defer func() {
		if recovered := recover(); recovered != nil {
			result = answer{Error: fmt.Sprint(recovered)}
		}
	}()
	functions := sprig.TxtFuncMap()
	delete(functions, "env")
	delete(functions, "expandenv")
	parsed, err := template.New("case").Funcs(functions).Parse(c.Template)
	if err != nil {
		return answer{Error: err.Error()}
	}
	data := map[string]interface{}{
		"time":    timeHelpers(),
		"strings": stringsHelpers(),
		"repo":    repoHelpers(),
	}
	for key, value := range c.Data {
		data[key] = value
	}
	var out bytes.Buffer
	if err := parsed.Execute(&out, data); err != nil {
		return answer{Error: err.Error()}
	}
	text := out.String()
	return answer{Output: &text}
}

func main() {
	var in request
	decoder := json.NewDecoder(os.Stdin)
	decoder.UseNumber()
	if err := decoder.Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "oracle: cannot read the request:", err)
		os.Exit(2)
	}
	// json.Number would print as a string in templates; turn the documents back into float64s as Go's default decoding does.
	var plain request
	raw, _ := json.Marshal(in)
	if err := json.Unmarshal(raw, &plain); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}
	out := map[string][]answer{"expr": {}, "templates": {}}
	for _, c := range plain.Expr {
		out["expr"] = append(out["expr"], evalExpr(c))
	}
	for _, c := range plain.Templates {
		out["templates"] = append(out["templates"], renderTemplate(c))
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}
}
