import type { Principal } from "./principal";

/** Hono environment shared by every route: the Worker's bindings and per-request values. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by the authenticate middleware when the request carried valid credentials. */
    principal: Principal | undefined;
  };
}
