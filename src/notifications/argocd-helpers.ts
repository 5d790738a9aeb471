import { repoFullName, repoUrlToHttps } from "../expressions/argocd-repo";
import { GO_TIME_CONSTANTS, goNow, parseRfc3339 } from "../expressions/go-time";
import { GoFunction } from "../expressions/gotemplate";

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
