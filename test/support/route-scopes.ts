// The scope table lives with the API (src/discovery/operations.ts), where the OpenAPI document
// is generated from it. The worker suite walks the app's route table against it (a route missing
// there fails the suite) and checks that a token of each scope — limited to one namespace, or to
// all — is answered exactly as it says; docs/security.md shows it, and a node test keeps the two
// in step.
import { type Access, describeAccess, OPERATIONS } from "../../src/discovery/operations";

export type Rule = Access;

export const ROUTE_SCOPES: ReadonlyArray<readonly [route: string, rule: Rule]> = OPERATIONS.map((operation) => [
  operation.route,
  operation.access,
]);

/** How a rule reads in docs/security.md. */
export const describeRule = describeAccess;
