import { GoDuration, goNow, parseRfc3339 } from "../expressions/go-time";
import { GoFunction } from "../expressions/gotemplate";

/** Argo CD's repo.RepoURLToHTTPS: git@host:org/repo(.git) and ssh://git@host/org/repo → https://host/org/repo. */
export function repoUrlToHttps(url: string): string {
  let https = url;
  if (https.startsWith("git@")) https = `https://${https.slice(4).replace(":", "/")}`;
  else if (https.startsWith("ssh://")) https = `https://${https.slice(6).replace(/^git@/, "")}`;
  return https.replace(/\.git$/, "");
}

/** Argo CD's repo.FullNameByRepoURL: "org/repo". */
export function repoFullName(url: string): string {
  const path = repoUrlToHttps(url)
    .replace(/\.git$/, "")
    .replace(/^https?:\/\//, "");
  const slash = path.indexOf("/");
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/**
 * The helpers Argo CD puts beside `app` and `context` for notification templates: `time`
 * (Now, Parse and Go's duration and layout constants), `strings` and the `repo` functions that
 * need no repository server. Templates call them with `call`: `{{call .repo.RepoURLToHTTPS x}}`.
 */
export function argoCdTemplateHelpers(): Record<string, Record<string, unknown>> {
  const fn = (name: string, params: Array<"string">, implementation: (...args: string[]) => unknown) =>
    new GoFunction(name, params, implementation as (...args: unknown[]) => unknown);
  return {
    time: {
      Now: new GoFunction("Now", [], () => goNow()),
      Parse: fn("Parse", ["string"], parseRfc3339),
      Nanosecond: new GoDuration(1),
      Microsecond: new GoDuration(1e3),
      Millisecond: new GoDuration(1e6),
      Second: new GoDuration(1e9),
      Minute: new GoDuration(60e9),
      Hour: new GoDuration(3600e9),
      RFC3339: "2006-01-02T15:04:05Z07:00",
      RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
      RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
      Kitchen: "3:04PM",
      DateTime: "2006-01-02 15:04:05",
      DateOnly: "2006-01-02",
      TimeOnly: "15:04:05",
    },
    strings: {
      ReplaceAll: fn("ReplaceAll", ["string", "string", "string"], (s, old, replacement) =>
        s.split(old).join(replacement),
      ),
      ToUpper: fn("ToUpper", ["string"], (s) => s.toUpperCase()),
      ToLower: fn("ToLower", ["string"], (s) => s.toLowerCase()),
    },
    repo: {
      RepoURLToHTTPS: fn("RepoURLToHTTPS", ["string"], repoUrlToHttps),
      FullNameByRepoURL: fn("FullNameByRepoURL", ["string"], repoFullName),
    },
  };
}
