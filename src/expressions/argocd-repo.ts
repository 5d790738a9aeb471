/**
 * Argo CD's `repo` helpers that need no repository server (util/notification/expression/repo),
 * shared by expr triggers and Go templates.
 */

/** A Git URL's host and path as chainguard-dev/git-urls (Argo CD's parser) reads them: a URL with a Git transport, or SCP-like `user@host:path`. */
function gitUrl(url: string): { host: string; path: string } {
  const transport = /^(?:ssh|git|git\+ssh|https?|ftps?|rsync|file):\/\/(?:[^@/]*@)?([^/?#]*)([^?#]*)/.exec(url);
  if (transport) return { host: transport[1] ?? "", path: transport[2] ?? "" };
  const scp = /^(?:[a-zA-Z0-9-._~]+@)?([a-zA-Z0-9._-]+):([a-zA-Z0-9./._-]+)(?:\?|$)/.exec(url);
  if (scp) return { host: scp[1] ?? "", path: scp[2] ?? "" };
  return { host: "", path: url };
}

/** Argo CD's repo.RepoURLToHTTPS: the same URL over https, without credentials (`git@github.com:org/repo.git` → `https://github.com/org/repo.git`). */
export function repoUrlToHttps(url: string): string {
  const { host, path } = gitUrl(url);
  return `https://${host}${path.startsWith("/") || path === "" ? "" : "/"}${path}`;
}

/** Argo CD's repo.FullNameByRepoURL: the first two segments of the path without `.git` ("org/repo"). */
export function repoFullName(url: string): string {
  const path = gitUrl(url).path.replace(/\.git$/, "");
  const parts = path.split("/").filter((part) => part !== "");
  return parts.length >= 2 ? parts.slice(0, 2).join("/") : path;
}
