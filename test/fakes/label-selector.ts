// Kubernetes label selectors as the API server reads them (`labelSelector=`, Argo Server's
// `listOptions.labelSelector=`): comma-separated requirements, each `key`, `!key`, `key=value`,
// `key==value`, `key!=value`, `key in (a,b)` or `key notin (a,b)`. `!=` and `notin` also match
// objects without the key, as Kubernetes does.

export type LabelSelector = (labels: Record<string, string>) => boolean;

const KEY = String.raw`(?:[a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]*`;
const VALUE = String.raw`[A-Za-z0-9._-]*`;
const requirement = new RegExp(
  String.raw`^\s*(?:(!)\s*(${KEY})|(${KEY})\s*(?:(==|=|!=)\s*(${VALUE})|\s+(in|notin)\s*\(([^)]*)\))?)\s*$`,
);

/** Splits on commas outside parentheses. */
function requirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === "(") depth += 1;
    else if (char === ")") depth -= 1;
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The selector, or the error message the API server would answer with. */
export function parseLabelSelector(text: string): LabelSelector | { error: string } {
  if (text.trim() === "") return () => true;
  const tests: LabelSelector[] = [];
  for (const part of requirements(text)) {
    const match = requirement.exec(part);
    if (!match) return { error: `unable to parse requirement: "${part}"` };
    const [, not, absentKey, key, operator, value, setOperator, set] = match;
    if (not && absentKey) {
      tests.push((labels) => !(absentKey in labels));
    } else if (key && operator) {
      const wanted = value ?? "";
      tests.push(operator === "!=" ? (labels) => labels[key] !== wanted : (labels) => labels[key] === wanted);
    } else if (key && setOperator) {
      const values = new Set((set ?? "").split(",").map((entry) => entry.trim()));
      tests.push(
        setOperator === "in"
          ? (labels) => key in labels && values.has(labels[key] ?? "")
          : (labels) => !(key in labels) || !values.has(labels[key] ?? ""),
      );
    } else if (key) {
      tests.push((labels) => key in labels);
    } else {
      return { error: `unable to parse requirement: "${part}"` };
    }
  }
  return (labels) => tests.every((test) => test(labels));
}
