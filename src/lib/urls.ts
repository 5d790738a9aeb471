import { z } from "zod";

/** Hosts allowed over plain http: the local machine only (tests, `wrangler dev`, tunnels). */
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True for https URLs, and http ones to the local machine. */
export function isSecureOrLoopback(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname)));
}

/** An outbound URL hookline may call: http(s), https unless it points at the local machine. */
export function outboundUrl(maxLength = 2048) {
  return z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .max(maxLength)
    .refine(isSecureOrLoopback, "must use https (http is accepted only for loopback hosts)");
}
