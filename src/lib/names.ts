import { z } from "zod";
import { AppError } from "./errors";

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes DNS-1123 label: namespaces (≤ 63 chars, lowercase alphanumerics and '-'). */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && dns1123Label.test(value);
}

/** Kubernetes DNS-1123 subdomain: object names (≤ 253 chars, labels joined by '.'). */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && dns1123Subdomain.test(value);
}

/** Throws invalid_argument unless `value` is a valid namespace. */
export function assertNamespace(value: string): string {
  if (!isDns1123Label(value)) {
    throw new AppError(
      "invalid_argument",
      `namespace "${truncate(value)}" is not a valid Kubernetes namespace (DNS-1123 label: lowercase letters, digits and '-', at most 63 characters)`,
    );
  }
  return value;
}

/** Throws invalid_argument unless `value` is a valid object name; `what` names it in the message. */
export function assertObjectName(value: string, what = "name"): string {
  if (!isDns1123Subdomain(value)) {
    throw new AppError(
      "invalid_argument",
      `${what} "${truncate(value)}" is not a valid Kubernetes name (DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters)`,
    );
  }
  return value;
}

/** Shortens user input quoted back in error messages. */
export function truncate(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}

/** A Kubernetes object name in a request body. */
export const objectNameSchema = z.string().refine(isDns1123Subdomain, "must be a Kubernetes name (DNS-1123 subdomain)");

/** The namespaces a credential may act in: names, or `["*"]` for all. */
export const namespaceListSchema = z
  .array(z.string().refine((ns) => ns === "*" || isDns1123Label(ns), 'must be a namespace name or "*"'))
  .min(1)
  .max(100);
