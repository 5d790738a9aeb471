// The scope table is derived from the route declarations (src/http/route.ts, every route listed in
// src/app.ts's ROUTES). The worker suite walks the app's route table against it (a route not
// declared fails) and checks that a token of each scope — limited to one namespace, or to all —
// is answered exactly as it says; docs/security.md shows it, and a test keeps the two in step.
import { ROUTES } from "../../src/app";
import { type Access, describeAccess, routeKey } from "../../src/http/route";

export type Rule = Access;

export const ROUTE_SCOPES: ReadonlyArray<readonly [route: string, rule: Rule]> = ROUTES.map((declared) => [
  routeKey(declared.spec),
  declared.spec.access,
]);

/** How a rule reads in docs/security.md. */
export const describeRule = describeAccess;
