// A fake GitHub REST API on 127.0.0.1 for custom deployment protection rules, strict the way
// GitHub is: it plays GitHub registering an App (an RSA key pair; the private key handed out as
// GitHub does, a PKCS#1 PEM), installing it on repositories and starting workflow runs whose
// environments wait for the App. POST /app/installations/{id}/access_tokens takes only an RS256
// App JWT it verifies with the App's public key (iss, iat in the past, exp at most 10 minutes
// ahead) and a User-Agent, and answers 201 {token, expires_at}; POST /repos/{owner}/{repo}/
// actions/runs/{run_id}/deployment_protection_rule takes only an unexpired installation token of
// the App the run waits for, for that repository with deployments:write, and a body
// {environment_name, state, comment} GitHub would accept, and answers 204 — once per run and
// environment. Both also answer under /api/v3 (GitHub Enterprise Server). Tests steer it through
// /_github/* (apps, installations, runs, failures) and read what it received.
import { createPublicKey, createVerify, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import { listenOnLoopback, readBody } from "./http.ts";

export interface GitHubRequest {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
  answer?: string;
}

export interface GitHubReview {
  repository: string;
  runId: number;
  environment: string;
  state: "approved" | "rejected";
  comment: string;
  app: number;
  at: number;
}

interface App {
  id: number;
  publicKey: KeyObject;
  permissions: Record<string, "read" | "write">;
  /** Answer this many review requests 502 before taking one. */
  failReviews: number;
}

interface Installation {
  id: number;
  app: number;
  repositories: Map<number, string>;
}

interface IssuedToken {
  app: number;
  installation: number;
  repositories: number[];
  permissions: Record<string, string>;
  expiresAt: number;
}

interface PendingRun {
  app: number;
  repository: string;
  environments: Map<string, { name: string; review: GitHubReview | null }>;
}

const DOCS = "https://docs.github.com/rest";
const JWT_LIFETIME_LIMIT_SECONDS = 600;

export interface FakeGitHub {
  url: string;
  close(): Promise<void>;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const apps = new Map<number, App>();
  const installations = new Map<number, Installation>();
  const repositories = new Map<string, number>();
  const tokens = new Map<string, IssuedToken>();
  const runs = new Map<string, PendingRun>();
  const reviews: GitHubReview[] = [];
  const requests: GitHubRequest[] = [];
  let nextId = 100_000 + Math.floor(Math.random() * 1000) * 1000;
  const newId = () => ++nextId;

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://github");
    const body = await readBody(request);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const json = (status: number, payload: unknown, entry?: GitHubRequest) => {
      const text = JSON.stringify(payload);
      if (entry) {
        entry.status = status;
        entry.answer = text;
      }
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      response.end(text);
    };
    if (url.pathname.startsWith("/_github/")) return control(url, body, (status, payload) => json(status, payload));
    const entry: GitHubRequest = {
      method: request.method ?? "",
      host: headers.host ?? "",
      path: url.pathname,
      headers,
      body,
    };
    requests.push(entry);
    const answer = (status: number, message: string) =>
      json(status, { message, documentation_url: DOCS, status: String(status) }, entry);
    // GitHub's API refuses requests without a User-Agent.
    if (!headers["user-agent"]) {
      entry.status = 403;
      response.writeHead(403, { "content-type": "text/plain" });
      return response.end(
        "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
      );
    }
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const tokenPath = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (tokenPath && request.method === "POST")
      return accessToken(Number(tokenPath[1]), headers, body, answer, json, entry);
    const reviewPath = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(path);
    if (reviewPath && request.method === "POST")
      return review(`${reviewPath[1]}/${reviewPath[2]}`, Number(reviewPath[3]), headers, body, answer, entry, response);
    return answer(404, "Not Found");
  });

  /** The App a valid App JWT speaks for, or why GitHub would refuse it. */
  function appOfJwt(authorization: string | undefined): { app: App } | { error: string } {
    const jwt = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
    if (!jwt) return { error: "A JSON web token could not be decoded" };
    const [, header64 = "", claims64 = "", signature64 = ""] = jwt;
    let header: { alg?: unknown };
    let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
    try {
      header = JSON.parse(Buffer.from(header64, "base64url").toString("utf8")) as typeof header;
      claims = JSON.parse(Buffer.from(claims64, "base64url").toString("utf8")) as typeof claims;
    } catch {
      return { error: "A JSON web token could not be decoded" };
    }
    if (header.alg !== "RS256") return { error: "A JSON web token could not be decoded" };
    const app = apps.get(Number(claims.iss));
    if (!app || !/^\d+$/.test(String(claims.iss))) return { error: "Integration not found" };
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${header64}.${claims64}`);
    if (!verifier.verify(app.publicKey, Buffer.from(signature64, "base64url")))
      return { error: "A JSON web token could not be decoded" };
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isInteger(claims.iat) || (claims.iat as number) > now)
      return { error: "'Issued at' claim ('iat') must be an Integer representing a time in the past." };
    if (!Number.isInteger(claims.exp) || (claims.exp as number) <= now)
      return {
        error:
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
      };
    if ((claims.exp as number) > now + JWT_LIFETIME_LIMIT_SECONDS)
      return { error: "'Expiration time' claim ('exp') is too far in the future." };
    return { app };
  }

  function accessToken(
    installationId: number,
    headers: Record<string, string>,
    body: string,
    answer: (status: number, message: string) => void,
    json: (status: number, payload: unknown, entry?: GitHubRequest) => void,
    entry: GitHubRequest,
  ) {
    const verified = appOfJwt(headers.authorization);
    if ("error" in verified) return answer(401, verified.error);
    const installation = installations.get(installationId);
    if (!installation || installation.app !== verified.app.id) return answer(404, "Not Found");
    let request: { repository_ids?: unknown; permissions?: unknown } = {};
    if (body !== "") {
      try {
        request = JSON.parse(body) as typeof request;
      } catch {
        return answer(400, "Problems parsing JSON");
      }
    }
    const wanted = request.repository_ids ?? [...installation.repositories.keys()];
    if (!Array.isArray(wanted) || wanted.some((id) => !installation.repositories.has(id as number)))
      return answer(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    const permissions = (request.permissions ?? verified.app.permissions) as Record<string, string>;
    for (const [name, level] of Object.entries(permissions)) {
      const granted = verified.app.permissions[name];
      if (!granted || (level === "write" && granted !== "write"))
        return answer(422, "The permissions requested are not granted to this installation.");
    }
    const token = `ghs_${randomBytes(27).toString("base64url")}`;
    const expiresAt = Math.floor(Date.now() / 1000) * 1000 + 3_600_000;
    tokens.set(token, {
      app: verified.app.id,
      installation: installationId,
      repositories: wanted as number[],
      permissions,
      expiresAt,
    });
    json(
      201,
      {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions,
        repository_selection: "selected",
      },
      entry,
    );
  }

  function review(
    repository: string,
    runId: number,
    headers: Record<string, string>,
    body: string,
    answer: (status: number, message: string) => void,
    entry: GitHubRequest,
    response: ServerResponse,
  ) {
    const token = /^(?:Bearer|token)\s+(ghs_\S+)$/.exec(headers.authorization ?? "")?.[1];
    const issued = token ? tokens.get(token) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) return answer(401, "Bad credentials");
    const repositoryId = repositories.get(repository.toLowerCase());
    if (repositoryId === undefined) return answer(404, "Not Found");
    if (!issued.repositories.includes(repositoryId) || issued.permissions.deployments !== "write")
      return answer(403, "Resource not accessible by integration");
    const app = apps.get(issued.app);
    if (app && app.failReviews > 0) {
      app.failReviews -= 1;
      return answer(502, "Server Error");
    }
    if (!(headers["content-type"] ?? "").startsWith("application/json")) return answer(415, "Unsupported Media Type");
    let review: { environment_name?: unknown; state?: unknown; comment?: unknown };
    try {
      review = JSON.parse(body) as typeof review;
    } catch {
      return answer(400, "Problems parsing JSON");
    }
    if (typeof review.environment_name !== "string")
      return answer(422, 'Invalid request.\n\n"environment_name" wasn\'t supplied.');
    if (review.state !== undefined && review.state !== "approved" && review.state !== "rejected")
      return answer(422, "Invalid request.\n\nstate must be approved or rejected.");
    if (review.comment !== undefined && typeof review.comment !== "string") return answer(422, "Invalid request.");
    if (review.state === undefined && typeof review.comment !== "string")
      return answer(422, 'Invalid request.\n\n"comment" wasn\'t supplied.');
    if (typeof review.comment === "string" && review.comment.length > 1024)
      return answer(422, "Invalid request.\n\ncomment is too long (maximum is 1024 characters).");
    const run = runs.get(`${repository.toLowerCase()}#${runId}`);
    const waiting = run?.app === issued.app ? run.environments.get(review.environment_name.toLowerCase()) : undefined;
    if (!waiting || waiting.review) return answer(422, "No pending deployment protection rule for this environment.");
    if (review.state !== undefined) {
      waiting.review = {
        repository,
        runId,
        environment: waiting.name,
        state: review.state,
        comment: typeof review.comment === "string" ? review.comment : "",
        app: issued.app,
        at: Date.now(),
      };
      reviews.push(waiting.review);
    }
    entry.status = 204;
    response.writeHead(204);
    response.end();
  }

  function control(url: URL, body: string, json: (status: number, payload: unknown) => void) {
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    switch (url.pathname) {
      case "/_github/apps": {
        // GitHub generates the key pair and hands out the private key (PKCS#1 PEM; PKCS#8 on request).
        const pkcs8 = input.format === "pkcs8";
        const { privateKey } = generateKeyPairSync("rsa", {
          modulusLength: 2048,
          publicKeyEncoding: { type: "spki", format: "pem" },
          privateKeyEncoding: { type: pkcs8 ? "pkcs8" : "pkcs1", format: "pem" },
        });
        const id = newId();
        apps.set(id, {
          id,
          publicKey: createPublicKey(privateKey),
          permissions: { deployments: "write", actions: "read", metadata: "read" },
          failReviews: 0,
        });
        return json(200, { appId: id, privateKey });
      }
      case "/_github/installations": {
        const id = newId();
        const installed = new Map<number, string>();
        for (const name of input.repositories as string[]) {
          const repositoryId = repositories.get(name.toLowerCase()) ?? newId();
          repositories.set(name.toLowerCase(), repositoryId);
          installed.set(repositoryId, name);
        }
        installations.set(id, { id, app: Number(input.appId), repositories: installed });
        return json(200, {
          installationId: id,
          repositories: [...installed].map(([repositoryId, name]) => ({ id: repositoryId, full_name: name })),
        });
      }
      case "/_github/runs": {
        const runId = newId();
        const repository = String(input.repository);
        const environments = (input.environments as string[]).map((name): [string, { name: string; review: null }] => [
          name.toLowerCase(),
          { name, review: null },
        ]);
        runs.set(`${repository.toLowerCase()}#${runId}`, {
          app: Number(input.appId),
          repository,
          environments: new Map(environments),
        });
        return json(200, { runId });
      }
      case "/_github/behaviour": {
        const app = apps.get(Number(input.appId));
        if (app) app.failReviews = Number(input.failReviews ?? 0);
        return json(app ? 200 : 404, {});
      }
      case "/_github/reviews": {
        const repository = (url.searchParams.get("repository") ?? "").toLowerCase();
        return json(200, { reviews: reviews.filter((review) => review.repository.toLowerCase() === repository) });
      }
      case "/_github/requests": {
        const match = url.searchParams.get("match") ?? "";
        return json(200, { requests: requests.filter((entry) => entry.path.includes(match)) });
      }
      default:
        return json(404, { message: "unknown control" });
    }
  }

  return listenOnLoopback(server);
}
