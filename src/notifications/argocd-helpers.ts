import { GO_TIME_CONSTANTS, goNow, parseRfc3339 } from "../expressions/go-time";
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
      ...Object.fromEntries(GO_TIME_CONSTANTS),
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
