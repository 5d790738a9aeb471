// @ts-check
// The HTTP client: every command talks to the hookline API and nothing else.

/** The server refused (4xx/5xx) or could not be reached: exit code 1. */
export class ServerError extends Error {
  /** @param {string} message @param {number} status @param {string} code */
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A mistake in how the command was used: exit code 2. */
export class UsageError extends Error {}

const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);
let warned = false;

/** Says so (once) when a token would cross the network in clear text. @param {string} server */
function warnIfPlainHttp(server) {
  const url = URL.parse(server);
  if (warned || !url || url.protocol !== "http:" || loopback.has(url.hostname)) return;
  warned = true;
  process.stderr.write(
    `warning: ${url.host} is plain http: the token crosses the network unencrypted. Use https (or a tunnel).\n`,
  );
}

/**
 * A client for one server and token: `request` answers the server's status, headers and JSON body.
 * @param {{ server: string | undefined, token: string | undefined }} config
 */
export function client(config) {
  if (!config.server) throw new UsageError("no server: pass --server, set HOOKLINE_URL, or run `hookline login`");
  const server = config.server;
  warnIfPlainHttp(server);
  /**
   * @param {string} method
   * @param {string} path
   * @param {{ body?: unknown, raw?: string, contentType?: string, auth?: boolean, headers?: Record<string, string> }} [options]
   * @returns {Promise<{ status: number, headers: Headers, body: any }>}
   */
  async function request(method, path, options = {}) {
    const headers = new Headers({ accept: "application/json", ...(options.headers ?? {}) });
    if (options.auth !== false) {
      if (!config.token) throw new UsageError("no token: pass --token, set HOOKLINE_TOKEN, or run `hookline login`");
      headers.set("authorization", `Bearer ${config.token}`);
    }
    let body;
    if (options.raw !== undefined) {
      body = options.raw;
      headers.set("content-type", options.contentType ?? "application/json");
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers.set("content-type", "application/json");
    }
    let response;
    try {
      response = await fetch(`${server}${path}`, { method, headers, body });
    } catch (error) {
      throw new ServerError(
        `cannot reach ${server}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
        0,
        "unavailable",
      );
    }
    // The server's warnings (RFC 9111 `Warning: 299 - "…"`, as the Kubernetes API sends them).
    for (const [, message] of (response.headers.get("warning") ?? "").matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)) {
      process.stderr.write(`Warning: ${(message ?? "").replace(/\\(.)/g, "$1")}\n`);
    }
    const text = await response.text();
    /** @type {any} */
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (response.status >= 400) {
      const message =
        parsed && typeof parsed === "object" && "message" in parsed
          ? parsed.message
          : text || `HTTP ${response.status}`;
      const code = parsed && typeof parsed === "object" && "code" in parsed ? parsed.code : String(response.status);
      throw new ServerError(String(message), response.status, String(code));
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
  return { request, server };
}

/** @typedef {ReturnType<typeof client>} Api */
