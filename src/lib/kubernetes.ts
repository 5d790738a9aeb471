import { isDns1123Subdomain } from "./names";

const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const qualifiedNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A Kubernetes label value: at most 63 characters, alphanumerics with `-_.` inside, or empty. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && labelValuePattern.test(value);
}

/** A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain, the name ≤ 63 characters. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? null : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== null && !isDns1123Subdomain(prefix)) return false;
  return name.length <= 63 && qualifiedNamePattern.test(name);
}

/** Largest total size of a Kubernetes object's annotations. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
