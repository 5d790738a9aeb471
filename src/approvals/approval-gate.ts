import { DurableObject } from "cloudflare:workers";

/**
 * One approval gate per Durable Object (binding APPROVAL_GATE, SQLite storage). Declared with
 * the project's bindings; the approval flow itself is built in src/approvals/.
 */
export class ApprovalGate extends DurableObject<Env> {}
