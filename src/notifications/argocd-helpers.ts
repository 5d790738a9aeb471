import { repoFullName, repoUrlToHttps } from "../expressions/argocd-repo";
import { GO_TIME_CONSTANTS, goNow, parseRfc3339 } from "../expressions/go-time";
import { GoFunction, GoInt } from "../expressions/gotemplate";

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

/** Argo CD's helpers are stateless (time.Now reads the clock when called): built once, not per message. */
const ARGO_CD_HELPERS = argoCdTemplateHelpers();

/**
 * Template variables as Argo CD hands them over: values decoded as Kubernetes decodes a resource
 * (whole numbers are int64, so `eq .app.metadata.generation 3` holds), `appProject` (empty when
 * hookline does not know the project) and the `time`, `strings` and `repo` helpers.
 */
export function argoCdTemplateVariables(variables: Record<string, unknown>): Record<string, unknown> {
  return {
    ...ARGO_CD_HELPERS,
    appProject: {},
    ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, kubernetesNumbers(value)])),
  };
}

/** Kubernetes' unstructured JSON: whole numbers are int64, other numbers float64. */
function kubernetesNumbers(value: unknown): unknown {
  if (typeof value === "number") return Number.isSafeInteger(value) ? new GoInt(value, "int64") : value;
  if (Array.isArray(value)) return value.map(kubernetesNumbers);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, kubernetesNumbers(item)]));
  return value;
}
