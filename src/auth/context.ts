import type { Principal } from "./principal";

/** A console session: who signed in, and the token every form of theirs carries. */
export interface ConsoleSession {
  principal: Principal;
  csrf: string;
}

/** Hono environment shared by every route: the Worker's bindings and per-request values. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by the authenticate middleware when the request carried valid credentials. */
    principal: Principal | undefined;
    /** The raw body, when authenticating the request had to read it (a signed webhook delivery). */
    rawBody: Uint8Array | undefined;
    /** The console's session (its principal, and the CSRF token its forms carry). */
    session: ConsoleSession | undefined;
  };
}
