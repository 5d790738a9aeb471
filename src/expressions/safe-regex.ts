/**
 * A conservative static check against regular expressions that can backtrack exponentially
 * (ReDoS): a quantified group that itself contains a quantifier (`(a+)+`, `(\w*x)*`, `(a|ab)*`
 * with inner `+`…), and backreferences. Event payloads come from the internet, so a binding's
 * regex must not let one crafted string burn the consumer's CPU.
 * Returns a reason when the pattern is refused, or null when it is accepted.
 */
export function unsafeRegexReason(pattern: string): string | null {
  if (/\\[1-9]|\\k</.test(pattern)) return "backreferences are not allowed";
  // Stack of groups: whether each contains a quantifier so far.
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      continue;
    }
    if (char === "[") {
      inClass = true;
    } else if (char === "(") {
      groups.push(false);
    } else if (char === ")") {
      const hadQuantifier = groups.pop() ?? false;
      const next = pattern[i + 1];
      const quantified = next === "*" || next === "+" || next === "?" || next === "{";
      if (hadQuantifier && quantified && next !== "?")
        return "a repeated group may not contain a repetition (nested quantifiers)";
      if (hadQuantifier || quantified) markQuantified(groups);
    } else if (char === "*" || char === "+" || char === "{") {
      markQuantified(groups);
    }
  }
  return null;
}

function markQuantified(groups: boolean[]): void {
  if (groups.length > 0) groups[groups.length - 1] = true;
}
