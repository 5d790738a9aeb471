import { describe, expect, it } from "vitest";
import { queueRole } from "../../../src/lib/queue";

describe("which consumer a queue gets", () => {
  it("tells events, notifications and their dead-letter queues apart, sharded or suffixed", () => {
    expect(queueRole("hookline-events")).toEqual({ kind: "events", dead: false });
    expect(queueRole("hookline-events-3")).toEqual({ kind: "events", dead: false });
    expect(queueRole("hookline-events-staging")).toEqual({ kind: "events", dead: false });
    expect(queueRole("hookline-events-dlq")).toEqual({ kind: "events", dead: true });
    expect(queueRole("hookline-events-3-dlq")).toEqual({ kind: "events", dead: true });
    expect(queueRole("hookline-events-dlq-staging")).toEqual({ kind: "events", dead: true });
    expect(queueRole("hookline-notifications")).toEqual({ kind: "notifications", dead: false });
    expect(queueRole("hookline-notifications-dlq")).toEqual({ kind: "notifications", dead: true });
  });

  it("a name that says neither gets no consumer (the batch fails loudly, it is not misread)", () => {
    expect(queueRole("hookline-eventsdlq")).toBeNull();
    expect(queueRole("something-else")).toBeNull();
    expect(queueRole("hookline-dlqueue-events")).toEqual({ kind: "events", dead: false });
  });
});
