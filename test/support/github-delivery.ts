// A `deployment_protection_rule` delivery as GitHub sends it to a GitHub App, built to GitHub's
// published webhook schema (@octokit/openapi-webhooks: `webhook-deployment-protection-rule-
// requested` — test/node/github-delivery.test.ts and the e2e test validate what this builds), and
// signed as GitHub signs it. Shared by the worker tests (workerd) and the e2e test (Node): plain
// WebCrypto, no Node modules.

export interface DeliveryInput {
  /** The App's REST API (GitHub's, GitHub Enterprise Server's `…/api/v3`, or a fake). */
  apiUrl: string;
  /** Where people see the repository (`https://github.com`, the GHES host…). */
  webUrl?: string;
  /** `owner/name`. */
  repository: string;
  repositoryId: number;
  runId: number;
  environment: string;
  installationId: number;
  /** Who created the deployment (the workflow run's actor). */
  creator?: string;
  creatorEmail?: string | null;
  sha?: string;
  ref?: string;
  /** Overrides GitHub's callback URL (`{apiUrl}/repos/{repository}/actions/runs/{runId}/deployment_protection_rule`). */
  callbackUrl?: string;
  createdAt?: string;
}

/** A user as GitHub's webhooks show one (`simple-user`). */
function user(login: string, id: number, apiUrl: string, webUrl: string, email?: string | null) {
  const api = `${apiUrl}/users/${login}`;
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `${webUrl}/avatars/u/${id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `${webUrl}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: "User",
    site_admin: false,
    ...(email === undefined ? {} : { email }),
  };
}

/** The delivery's JSON (`deployment_protection_rule`, action `requested`). */
export function deploymentProtectionRule(input: DeliveryInput): Record<string, unknown> {
  const webUrl = input.webUrl ?? "https://github.com";
  const [owner = "octo-org"] = input.repository.split("/");
  const name = input.repository.slice(owner.length + 1);
  const repoApi = `${input.apiUrl}/repos/${input.repository}`;
  const html = `${webUrl}/${input.repository}`;
  const creator = input.creator ?? "octocat";
  const createdAt = input.createdAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const sha = input.sha ?? "a10867b14bb761a232cd80139fbd4c0d33264240";
  const ref = input.ref ?? "main";
  const deploymentId = input.runId + 7;
  const repository = {
    id: input.repositoryId,
    node_id: `R_kgDO${input.repositoryId}`,
    name,
    full_name: input.repository,
    private: false,
    owner: { ...user(owner, input.repositoryId + 1, input.apiUrl, webUrl), type: "Organization" },
    html_url: html,
    description: "A service deployed with GitHub Actions",
    fork: false,
    url: repoApi,
    forks_url: `${repoApi}/forks`,
    keys_url: `${repoApi}/keys{/key_id}`,
    collaborators_url: `${repoApi}/collaborators{/collaborator}`,
    teams_url: `${repoApi}/teams`,
    hooks_url: `${repoApi}/hooks`,
    issue_events_url: `${repoApi}/issues/events{/number}`,
    events_url: `${repoApi}/events`,
    assignees_url: `${repoApi}/assignees{/user}`,
    branches_url: `${repoApi}/branches{/branch}`,
    tags_url: `${repoApi}/tags`,
    blobs_url: `${repoApi}/git/blobs{/sha}`,
    git_tags_url: `${repoApi}/git/tags{/sha}`,
    git_refs_url: `${repoApi}/git/refs{/sha}`,
    trees_url: `${repoApi}/git/trees{/sha}`,
    statuses_url: `${repoApi}/statuses/{sha}`,
    languages_url: `${repoApi}/languages`,
    stargazers_url: `${repoApi}/stargazers`,
    contributors_url: `${repoApi}/contributors`,
    subscribers_url: `${repoApi}/subscribers`,
    subscription_url: `${repoApi}/subscription`,
    commits_url: `${repoApi}/commits{/sha}`,
    git_commits_url: `${repoApi}/git/commits{/sha}`,
    comments_url: `${repoApi}/comments{/number}`,
    issue_comment_url: `${repoApi}/issues/comments{/number}`,
    contents_url: `${repoApi}/contents/{+path}`,
    compare_url: `${repoApi}/compare/{base}...{head}`,
    merges_url: `${repoApi}/merges`,
    archive_url: `${repoApi}/{archive_format}{/ref}`,
    downloads_url: `${repoApi}/downloads`,
    issues_url: `${repoApi}/issues{/number}`,
    pulls_url: `${repoApi}/pulls{/number}`,
    milestones_url: `${repoApi}/milestones{/number}`,
    notifications_url: `${repoApi}/notifications{?since,all,participating}`,
    labels_url: `${repoApi}/labels{/name}`,
    releases_url: `${repoApi}/releases{/id}`,
    deployments_url: `${repoApi}/deployments`,
    created_at: "2024-01-10T09:00:00Z",
    updated_at: "2024-06-01T12:00:00Z",
    pushed_at: createdAt,
    git_url: `git://${new URL(webUrl).host}/${input.repository}.git`,
    ssh_url: `git@${new URL(webUrl).host}:${input.repository}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 112,
    stargazers_count: 0,
    watchers_count: 0,
    language: "TypeScript",
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    topics: [],
    visibility: "public",
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: "main",
  };
  return {
    action: "requested",
    environment: input.environment,
    event: "push",
    deployment_callback_url: input.callbackUrl ?? `${repoApi}/actions/runs/${input.runId}/deployment_protection_rule`,
    deployment: {
      url: `${repoApi}/deployments/${deploymentId}`,
      id: deploymentId,
      node_id: `DE_kwDO${deploymentId}`,
      task: "deploy",
      original_environment: input.environment,
      environment: input.environment,
      description: null,
      created_at: createdAt,
      updated_at: createdAt,
      statuses_url: `${repoApi}/deployments/${deploymentId}/statuses`,
      repository_url: repoApi,
      creator: user(creator, input.runId + 3, input.apiUrl, webUrl, input.creatorEmail),
      sha,
      ref,
      payload: {},
      transient_environment: false,
      production_environment: true,
    },
    pull_requests: [],
    repository,
    organization: {
      login: owner,
      id: input.repositoryId + 1,
      node_id: `O_kgDO${input.repositoryId + 1}`,
      url: `${input.apiUrl}/orgs/${owner}`,
      repos_url: `${input.apiUrl}/orgs/${owner}/repos`,
      events_url: `${input.apiUrl}/orgs/${owner}/events`,
      hooks_url: `${input.apiUrl}/orgs/${owner}/hooks`,
      issues_url: `${input.apiUrl}/orgs/${owner}/issues`,
      members_url: `${input.apiUrl}/orgs/${owner}/members{/member}`,
      public_members_url: `${input.apiUrl}/orgs/${owner}/public_members{/member}`,
      avatar_url: `${webUrl}/avatars/u/${input.repositoryId + 1}?v=4`,
      description: null,
    },
    installation: { id: input.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${input.installationId}` },
    sender: user(creator, input.runId + 3, input.apiUrl, webUrl),
  };
}

/** `sha256=<hex HMAC-SHA256 of the body under the App's webhook secret>`, as GitHub signs. */
export async function githubSignature(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** The headers GitHub sends with an App's delivery (signed with `secret`). */
export async function deliveryHeaders(
  secret: string,
  body: string,
  options: { delivery?: string; event?: string; appId?: number } = {},
): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/5f3d2a1",
    "x-github-event": options.event ?? "deployment_protection_rule",
    "x-github-delivery": options.delivery ?? crypto.randomUUID(),
    "x-github-hook-id": "512345678",
    ...(options.appId === undefined
      ? {}
      : {
          "x-github-hook-installation-target-type": "integration",
          "x-github-hook-installation-target-id": String(options.appId),
        }),
    "x-hub-signature-256": await githubSignature(secret, body),
  };
}
