// The memory-hungry corpus: for each JSONata built-in, expr helper and template function that
// can grow its output, an expression or template that would build far more than the memory
// budget allows (1 MiB a value, 8 MiB an evaluation), and an ordinary use of the same function
// with the value it gives. The suite runs both (test/node/memory-budget.test.ts, and inside
// workerd test/worker/unit/memory-budget.test.ts); the benchmark times the refusals and
// watches workerd's memory while they run. Most are refused before they build anything; a few
// (ranges, `upper`) build up to the 8 MiB an evaluation may, and are refused on the total.

/** One growing function: a hungry use refused with `code` naming `names`, and an ordinary use giving `value`. */
export interface MemoryCase {
  /** The function the refusal names, as the message says it (`$pad`, `&`, `print`). */
  names: string;
  hungry: string;
  ordinary: string;
  value: unknown;
  /** The data it runs over (the event's environment, or the template's data), when it needs some. */
  input?: Record<string, unknown>;
}

const big = "a".repeat(900_000);
const halves = ["a".repeat(600_000), "b".repeat(600_000)];
/** An event carrying large strings (within hookline's 10 MB body limit). */
export const LARGE_EVENT = { payload: { big, huge: "a".repeat(1_200_000), halves, text: "hello world" } };
/** Template data carrying large strings. */
export const LARGE_DATA = { big, huge: "a".repeat(1_200_000), items: halves, small: ["b", "a"] };

export const EXPRESSION_CASES: MemoryCase[] = [
  { names: "$pad", hungry: '$length($pad("", 30000000)) > 0', ordinary: '$pad("ab", 5, "-")', value: "ab---" },
  {
    names: "&",
    hungry: `($s := $pad("", 1000000, "a"); ${"$s := $s & $s; ".repeat(7)}$length($s))`,
    ordinary: '"a" & "b" & 1',
    value: "ab1",
  },
  {
    names: "&",
    hungry: '($s := $pad("", 600000, "a"); [$s, $s] & "")',
    ordinary: '{"a": 1} & "!"',
    value: '{"a":1}!',
  },
  {
    names: "$join",
    hungry: '($s := $pad("", 600000, "a"); $join([$s, $s]))',
    ordinary: '$join(["a", "b"], ",")',
    value: "a,b",
  },
  {
    names: "$string",
    hungry: '($s := $pad("", 600000, "a"); $string({"a": $s, "b": $s}))',
    ordinary: '$string({"a": [1, 2]})',
    value: '{"a":[1,2]}',
  },
  {
    names: "$replace",
    hungry: '$replace($pad("", 600000, "a"), "a", "bb")',
    ordinary: '$replace("a-a", "a", "bb")',
    value: "bb-bb",
  },
  {
    names: "$replace",
    hungry: '$replace($pad("", 100, "a"), /a/, $pad("", 20000, "b"))',
    ordinary: '$replace("a1b22", /[0-9]+/, "#")',
    value: "a#b#",
  },
  {
    names: "$replace",
    hungry: '$replace($pad("", 100, "a"), /a/, function($m) { $pad("", 20000, "b") })',
    ordinary: '$replace("ab", /a/, function($m) { $uppercase($m.match) })',
    value: "Ab",
  },
  {
    names: "range (..)",
    // Eight strings of a million characters each, then a range of 100,000: past 8 MiB in all.
    hungry: '($p := [1..8].$pad("", 1000000, "a"); $count([1..100000]) + $count($p))',
    ordinary: "$sum([1..4])",
    value: 10,
  },
  {
    names: "$zip",
    hungry: `($x := [1..100000]; $zip(${Array(12).fill("$x").join(", ")}))`,
    ordinary: "$zip([1, 2], [3, 4])",
    value: [
      [1, 3],
      [2, 4],
    ],
  },
  {
    names: "$clone",
    hungry: '($s := $pad("", 600000, "a"); $clone({"a": $s, "b": $s}))',
    ordinary: '$clone({"a": 1})',
    value: { a: 1 },
  },
  {
    names: "$split",
    hungry: '$split($pad("", 300000, "a"), "")',
    ordinary: '$split("a,b", ",")',
    value: ["a", "b"],
  },
  {
    names: "$fromMillis",
    hungry: '$fromMillis(0, "[Y,100000000]")',
    ordinary: '$fromMillis(0, "[Y0001]-[M01]")',
    value: "1970-01",
  },
  { names: "$now", hungry: '$now("[Y,100000000]")', ordinary: '$length($now("[Y0001]"))', value: 4 },
  {
    names: "$formatInteger",
    hungry: '$formatInteger(1, "[Y,100000000]")',
    ordinary: '$formatInteger(1234, "#,##0")',
    value: "1,234",
  },
  {
    names: "$uppercase",
    hungry: "$uppercase(payload.huge)",
    ordinary: "$uppercase(payload.text)",
    value: "HELLO WORLD",
    input: LARGE_EVENT,
  },
  {
    names: "$lowercase",
    hungry: "$lowercase(payload.huge)",
    ordinary: '$lowercase("AB")',
    value: "ab",
    input: LARGE_EVENT,
  },
  {
    names: "$encodeUrlComponent",
    hungry: "$encodeUrlComponent(payload.huge)",
    ordinary: '$encodeUrlComponent("a b")',
    value: "a%20b",
    input: LARGE_EVENT,
  },
  {
    names: "$base64encode",
    hungry: "$base64encode(payload.huge)",
    ordinary: '$base64encode("hi")',
    value: "aGk=",
    input: LARGE_EVENT,
  },
  {
    // expr's helpers name the expr function a binding's author wrote (`join`, not `$exprJoin`).
    names: "join",
    hungry: '$exprJoin(payload.halves, "")',
    ordinary: '$exprJoin(["a", "b"], "-")',
    value: "a-b",
    input: LARGE_EVENT,
  },
  {
    names: "toJSON",
    hungry: '($s := $pad("", 600000, "a"); $exprToJson([$s, $s]))',
    ordinary: '$exprToJson({"b": 1, "a": [true]})',
    value: '{"a":[true],"b":1}',
  },
  {
    names: "$exprGoString",
    hungry: '$exprGoString("ReplaceAll", [$pad("", 600000, "a"), "a", "bb"])',
    ordinary: '$exprGoString("ReplaceAll", ["a-a", "a", "b"])',
    value: "b-b",
  },
  {
    names: "the result",
    hungry: '($s := $pad("", 1000000, "a"); [1..20].$s)',
    ordinary: "[1..3].$string()",
    value: ["1", "2", "3"],
  },
];

export const TEMPLATE_CASES: MemoryCase[] = [
  {
    names: "print",
    hungry: '{{ $s := repeat 1000000 "a" }}{{ range list 1 2 3 4 5 6 7 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}',
    ordinary: '{{ print "a" 1 2 }}',
    value: "a1 2",
  },
  {
    names: "printf",
    hungry: '{{ $s := repeat 1000000 "a" }}{{ printf "%s%s" $s $s }}',
    ordinary: '{{ printf "%05d-%s" 42 "x" }}',
    value: "00042-x",
  },
  {
    names: "printf",
    hungry: '{{ printf "%999999d%999999d" 1 2 }}',
    ordinary: '{{ printf "%3d|" 7 }}',
    value: "  7|",
  },
  {
    names: "println",
    hungry: "{{ println .big .big }}",
    ordinary: '{{ println "a" }}',
    value: "a\n",
    input: LARGE_DATA,
  },
  {
    names: "replace",
    hungry: '{{ replace "a" "bb" (repeat 1000000 "a") }}',
    ordinary: '{{ replace "a" "bb" "aXa" }}',
    value: "bbXbb",
  },
  {
    names: "upper",
    hungry: "{{ range list 1 2 3 4 5 6 7 8 9 10 }}{{ $t := upper $.big }}{{ end }}",
    ordinary: '{{ upper "abc" }}',
    value: "ABC",
    input: LARGE_DATA,
  },
  {
    names: "lower",
    hungry: "{{ lower .huge }}",
    ordinary: '{{ lower "ABC" }}',
    value: "abc",
    input: LARGE_DATA,
  },
  {
    names: "title",
    hungry: "{{ title .huge }}",
    ordinary: '{{ title "hello world" }}',
    value: "Hello World",
    input: LARGE_DATA,
  },
  { names: "repeat", hungry: '{{ repeat 99999999 "ab" }}', ordinary: '{{ repeat 3 "ab" }}', value: "ababab" },
  { names: "indent", hungry: '{{ indent 2000000 "a" }}', ordinary: '{{ indent 2 "a" }}', value: "  a" },
  { names: "nindent", hungry: '{{ nindent 2000000 "a" }}', ordinary: '{{ nindent 1 "a" }}', value: "\n a" },
  {
    names: "list",
    hungry: `{{ $l := list 1 }}{{ range list ${Array.from({ length: 30 }, (_, i) => i).join(" ")} }}{{ $l = list $l $l }}{{ end }}{{ len $l }}`,
    ordinary: "{{ list 1 2 }}",
    value: "[1 2]",
  },
  {
    names: "tuple",
    hungry: "{{ tuple .big .big }}",
    ordinary: "{{ tuple 1 }}",
    value: "[1]",
    input: LARGE_DATA,
  },
  {
    names: "append",
    hungry: "{{ append .items .big }}",
    ordinary: "{{ append (list 1) 2 }}",
    value: "[1 2]",
    input: LARGE_DATA,
  },
  {
    names: "concat",
    hungry: "{{ concat .items .items }}",
    ordinary: "{{ concat (list 1) (list 2) }}",
    value: "[1 2]",
    input: LARGE_DATA,
  },
  {
    names: "dict",
    hungry: '{{ dict "a" .big "b" .big }}',
    ordinary: '{{ dict "a" 1 }}',
    value: "map[a:1]",
    input: LARGE_DATA,
  },
  {
    names: "join",
    hungry: '{{ join "," .items }}',
    ordinary: '{{ join "," .small }}',
    value: "b,a",
    input: LARGE_DATA,
  },
  {
    names: "toJson",
    hungry: "{{ toJson .items }}",
    ordinary: '{{ toJson (dict "a" 1) }}',
    value: '{"a":1}',
    input: LARGE_DATA,
  },
  {
    names: "toPrettyJson",
    hungry: "{{ toPrettyJson .items }}",
    ordinary: "{{ toPrettyJson (list 1) }}",
    value: "[\n  1\n]",
    input: LARGE_DATA,
  },
  {
    names: "toRawJson",
    hungry: "{{ toRawJson .items }}",
    ordinary: '{{ toRawJson (list "<") }}',
    value: '["<"]',
    input: LARGE_DATA,
  },
  {
    names: "cat",
    hungry: "{{ cat .big .big }}",
    ordinary: '{{ cat "a" 1 }}',
    value: "a 1",
    input: LARGE_DATA,
  },
  {
    names: "quote",
    hungry: "{{ quote .big .big }}",
    ordinary: '{{ quote "a" }}',
    value: '"a"',
    input: LARGE_DATA,
  },
  {
    names: "squote",
    hungry: "{{ squote .big .big }}",
    ordinary: '{{ squote "a" }}',
    value: "'a'",
    input: LARGE_DATA,
  },
  {
    names: "html",
    hungry: "{{ html .big .big }}",
    ordinary: '{{ html "<b>" }}',
    value: "&lt;b&gt;",
    input: LARGE_DATA,
  },
  {
    names: "js",
    hungry: "{{ js .big .big }}",
    ordinary: '{{ js "a\'b" }}',
    value: "a\\'b",
    input: LARGE_DATA,
  },
  {
    names: "urlquery",
    hungry: "{{ urlquery .big .big }}",
    ordinary: '{{ urlquery "a b" }}',
    value: "a+b",
    input: LARGE_DATA,
  },
  {
    names: "b64enc",
    hungry: "{{ b64enc .big }}",
    ordinary: '{{ b64enc "hi" }}',
    value: "aGk=",
    input: LARGE_DATA,
  },
  {
    names: "toString",
    hungry: "{{ toString .items }}",
    ordinary: "{{ toString 1 }}",
    value: "1",
    input: LARGE_DATA,
  },
  {
    names: "toStrings",
    hungry: "{{ toStrings .items }}",
    ordinary: "{{ toStrings (list 1 2) }}",
    value: "[1 2]",
    input: LARGE_DATA,
  },
  {
    names: "sortAlpha",
    hungry: "{{ sortAlpha .items }}",
    ordinary: "{{ sortAlpha .small }}",
    value: "[a b]",
    input: LARGE_DATA,
  },
  {
    names: "regexReplaceAll",
    hungry: '{{ regexReplaceAll "a" (repeat 100000 "a") (repeat 200 "$0") }}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${1} is Go regexp expansion, not a JS placeholder
    ordinary: '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}',
    value: "-W-xxW-",
  },
  {
    names: "regexReplaceAllLiteral",
    hungry: '{{ regexReplaceAllLiteral "a" (repeat 100000 "a") (repeat 1000 "b") }}',
    ordinary: '{{ regexReplaceAllLiteral "a" "xax" "$1" }}',
    value: "x$1x",
  },
  {
    names: "splitList",
    hungry: '{{ splitList "" .big }}',
    ordinary: '{{ splitList "," "a,b" }}',
    value: "[a b]",
    input: LARGE_DATA,
  },
  {
    names: "printing a value",
    hungry: "{{ .items }}",
    ordinary: "{{ .small }}",
    value: "[b a]",
    input: LARGE_DATA,
  },
];
