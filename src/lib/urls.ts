import { z } from "zod";
import { AppError } from "./errors";

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

/**
 * The origin hookline's own links point at — approval callback URIs, one-time chat links — from
 * PUBLIC_URL only, never from a request's Host (which a caller chooses). `npm start` sets it for
 * local runs and `npm run deploy` refuses to deploy without it; a Worker running without it
 * refuses to mint links (500 naming the setting).
 */
export function publicUrlOf(env: { PUBLIC_URL?: string }): string {
  const value = (env.PUBLIC_URL ?? "").trim().replace(/\/+$/, "");
  const url = URL.parse(value);
  if (!url || !isSecureOrLoopback(value) || url.origin !== value) {
    throw new AppError(
      "internal",
      `PUBLIC_URL ${value === "" ? "is not set" : `"${value.slice(0, 100)}" is not an https origin`}: set it under [vars] in wrangler.toml to the origin approvers and chat links reach hookline at (e.g. https://hookline.example.com)`,
    );
  }
  return value;
}
