import { KeyWindow, namespaceOfWindow } from "../bindings/window";
import { eventLogFor, eventQueueFor } from "./shards";
import { settleWaiting } from "./waits";

/**
 * The binding windows' object (binding BINDING_WINDOW): bindings/window.ts decides what each
 * event of a key meets; what a window's end does to the queue and the event log is recorded here.
 */
export class BindingWindow extends KeyWindow {
  protected override async fire(name: string, message: Record<string, unknown>): Promise<void> {
    await eventQueueFor(this.env, namespaceOfWindow(name)).send(message, { contentType: "json" });
  }

  protected override async expired(name: string, windowId: string, reason: string): Promise<void> {
    await settleWaiting(eventLogFor(this.env, namespaceOfWindow(name)), windowId, "skipped", reason);
  }
}
