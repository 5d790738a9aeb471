import { resolveSecret } from "../auth/secrets";
import { callOutbound, describeRedirect, isRedirect } from "../lib/outbound";
import { fail, ok, type Result } from "../lib/result";
import type { GateState } from "./gate-state";
import {
  forgetInstallationToken,
  githubHeaders,
  githubMessage,
  type InstallationScope,
  installationToken,
  isRateLimited,
} from "./github-app";
import { githubSecretContext } from "./policy";

/**
 * Answering GitHub's deployment protection rule: once the gate is decided, one `POST` to the
 * delivery's `deployment_callback_url` — GitHub's "review custom deployment protection rules for
 * a workflow run" endpoint — with `{environment_name, state, comment}` and an installation token
 * of the policy's App. The URL must be that endpoint on the policy's `apiUrl` (its origin and
 * its path, `…/api/v3` on GitHub Enterprise Server), for the delivery's repository: a signed
 * delivery must not steer hookline's App token anywhere else.
 */

const CALL_TIMEOUT_MS = 10_000;
/** GitHub takes comments of at most 1,024 characters. */
export const MAX_COMMENT_LENGTH = 1024;

/** The review endpoint's path under the API: the repository and the run id. */
const REVIEW_PATH =
  /^\/repos\/([A-Za-z0-9._-]{1,100})\/([A-Za-z0-9._-]{1,100})\/actions\/runs\/([1-9][0-9]{0,19})\/deployment_protection_rule$/;

/** The run a callback URL names, or null when it is not the review endpoint under `apiUrl`. */
export function reviewEndpointOf(
  apiUrl: string,
  callbackUrl: string,
): { owner: string; repo: string; runId: string } | null {
  const api = URL.parse(apiUrl);
  const url = URL.parse(callbackUrl);
  if (!api || !url || url.origin !== api.origin || url.search !== "" || url.hash !== "") return null;
  if (url.username !== "" || url.password !== "") return null;
  const base = api.pathname.replace(/\/+$/, "");
  if (!url.pathname.startsWith(`${base}/`)) return null;
  const match = REVIEW_PATH.exec(url.pathname.slice(base.length));
  if (!match) return null;
  const [, owner = "", repo = "", runId = ""] = match;
  return { owner, repo, runId };
}

/**
 * Why hookline will not answer at `callbackUrl`, or null when it will: the review endpoint of
 * `repository` (owner/name, as the delivery names it) under the App's `apiUrl`.
 */
export function callbackRefusal(apiUrl: string, callbackUrl: string, repository: string): string | null {
  const endpoint = reviewEndpointOf(apiUrl, callbackUrl);
  const shown = callbackUrl.slice(0, 200);
  if (!endpoint) {
    return `the delivery's deployment_callback_url (${shown}) is not GitHub's review endpoint on the App's API (${apiUrl}); nothing is sent there`;
  }
  if (`${endpoint.owner}/${endpoint.repo}`.toLowerCase() !== repository.toLowerCase()) {
    return `the delivery's deployment_callback_url (${shown}) names another repository than the delivery (${repository}); nothing is sent there`;
  }
  return null;
}

/** What the gate answers GitHub: `environment_name` as GitHub named it, `state`, and who decided how. */
export function reviewOf(
  state: GateState,
): { environment_name: string; state: "approved" | "rejected"; comment: string } | null {
  const github = state.github;
  const decision = state.decision;
  if (!github || !decision) return null;
  const approved = decision.status === "approved";
  const via = decision.via ?? "api";
  let summary: string;
  if (approved) {
    const approvals = state.approvals ?? [];
    const people =
      approvals.length > 0
        ? approvals.map((approval) => `${approval.by} (${approval.via})`).join(", ")
        : `${decision.by} (${via})`;
    // A break-glass override says why; "every required approval was given" goes without saying.
    const overridden = decision.reason.startsWith("overridden:") ? ` (${decision.reason})` : "";
    summary = `Approved in hookline by ${people}${overridden}.`;
  } else if (decision.status === "rejected") {
    summary = `Rejected in hookline by ${decision.by} (${via}).`;
  } else {
    summary = `${decision.status === "timed_out" ? "Timed out" : "Failed"} in hookline: ${decision.reason}.`;
  }
  const where = ` Policy ${state.namespace}/${state.policy.name}, approval ${state.id}.`;
  const message = decision.message.trim();
  const quoted = message ? `\n\n> ${message.replace(/\s*\n\s*/g, " ")}` : "";
  const comment = `${summary}${where}${quoted}`;
  return {
    environment_name: github.environment,
    state: approved ? "approved" : "rejected",
    comment: comment.length > MAX_COMMENT_LENGTH ? `${comment.slice(0, MAX_COMMENT_LENGTH - 1)}…` : comment,
  };
}

/**
 * Posts the gate's decision to GitHub. A failure says whether trying again may help: GitHub
 * unreachable, 5xx, rate limited, or a token GitHub no longer takes (forgotten, minted anew).
 */
export async function answerGitHub(env: Env, state: GateState): Promise<Result<true>> {
  const github = state.github;
  const app = state.policy.github;
  const review = reviewOf(state);
  if (!github || !app || !review) return fail("internal", "this gate has no GitHub deployment to answer");
  // Checked when the gate opened; checked again against the snapshot before any token is minted.
  const refusal = callbackRefusal(app.apiUrl, github.callbackUrl, github.repository);
  if (refusal !== null) return fail("permission_denied", refusal);
  let privateKey: string;
  try {
    privateKey = await resolveSecret(
      env,
      { sealed: app.privateKeySealed },
      githubSecretContext(state.namespace, state.policy.name, "private-key"),
    );
  } catch (error) {
    return fail("internal", error instanceof Error ? error.message : String(error));
  }
  const scope: InstallationScope = {
    apiUrl: app.apiUrl,
    appId: app.appId,
    privateKey,
    installationId: github.installationId,
    repositoryId: github.repositoryId,
  };
  const token = await installationToken(scope);
  if (!token.ok) return token;
  const called = await callOutbound(
    github.callbackUrl,
    {
      method: "POST",
      headers: { ...githubHeaders(`Bearer ${token.value}`), "content-type": "application/json" },
      body: JSON.stringify(review),
    },
    CALL_TIMEOUT_MS,
  );
  if (!called.ok) {
    return fail("internal", `cannot reach GitHub: ${called.timedOut ? "no answer in time" : called.message}`, {
      retryable: true,
    });
  }
  const { response } = called;
  if (response.status >= 200 && response.status < 300) return ok(true);
  if (isRedirect(response.status)) {
    return fail("internal", `GitHub answered ${describeRedirect(response)}; redirects are not followed`);
  }
  if (response.status === 401) {
    await forgetInstallationToken(scope);
    return fail("internal", `GitHub did not take the installation token: ${githubMessage(response)}`, {
      retryable: true,
    });
  }
  const retryable = response.status >= 500 || isRateLimited(response);
  return fail("internal", `GitHub answered ${githubMessage(response)}`, { retryable });
}
