import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildPack, type PackInput } from "../../../src/events/body-pack";
import { minuteOf, outcomeMoves, sampleKeyOf } from "../../../src/events/counts";
import { alwaysDetailed, chooseDetailed, type SampleCandidate, sampleKey } from "../../../src/events/sampling";
import { eventIdFloor, eventIdTime, newEventId } from "../../../src/lib/ids";

// The pure rules of the event log's cost: what a body pack holds and where, which events keep a
// row, how counts move, and the id arithmetic retention and the size watch rely on.

const input = (id: string, body: PackInput["body"], namespace = "ns"): PackInput => ({
  id,
  namespace,
  discriminator: "d",
  receivedAt: eventIdTime(id),
  sender: "admin",
  metadata: { "x-test": ["1"] },
  traceId: null,
  replayOf: null,
  outcome: "no_match",
  bindingsPruned: 0,
  bodyBytes: 0,
  body,
});

describe("body packs", () => {
  it("every body reads back from its key, offset and length, whatever its characters", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 200 }), { minLength: 1, maxLength: 30 }),
        (bodies) => {
          const events = bodies.map((text) => input(newEventId(), { inline: JSON.stringify(text) }));
          const pack = buildPack(events, "packs/test");
          const decoder = new TextDecoder();
          for (const event of events) {
            const at = pack.bodies.get(event.id);
            if (!at || at.offset === null || at.length === null) throw new Error("no place");
            expect(at.key).toBe("packs/test");
            expect(decoder.decode(pack.bytes.subarray(at.offset, at.offset + at.length))).toBe(
              (event.body as { inline: string }).inline,
            );
          }
          const manifest = JSON.parse(decoder.decode(pack.bytes.subarray(0, pack.manifestBytes))) as {
            events: Array<{ id: string }>;
          };
          expect(manifest.events.map((entry) => entry.id)).toEqual(events.map((event) => event.id));
        },
      ),
    );
  });

  it("a spilled body stays in its own object; the pack spans its events' ids", () => {
    const first = newEventId();
    const second = newEventId();
    const pack = buildPack(
      [input(second, { r2Key: `events/ns/${second}.json` }), input(first, { inline: "{}" })],
      "packs/x",
    );
    expect(pack.bodies.get(second)).toEqual({ key: `events/ns/${second}.json`, offset: null, length: null });
    expect(pack).toMatchObject({ firstId: first, lastId: second });
  });
});

const candidate = (overrides: Partial<SampleCandidate> = {}): SampleCandidate => ({
  namespace: "ns",
  discriminator: "push",
  receivedAt: 1_800_000_000_000,
  outcome: "no_match",
  results: [],
  ...overrides,
});

describe("which events keep a row", () => {
  it("matched, failed, replayed, waited-for and erroneous events always do", () => {
    expect(alwaysDetailed(candidate({ outcome: "submitted" }))).toBe(true);
    expect(alwaysDetailed(candidate({ results: [{ matched: true, status: "deduplicated" }] }))).toBe(true);
    expect(alwaysDetailed(candidate({ results: [{ matched: false, status: "failed" }] }))).toBe(true);
    expect(alwaysDetailed(candidate({ replayOf: "01J" }))).toBe(true);
    expect(alwaysDetailed(candidate({ receipt: true }))).toBe(true);
    expect(alwaysDetailed(candidate({ error: "boom" }))).toBe(true);
    expect(alwaysDetailed(candidate({ outcome: "no_bindings" }))).toBe(false);
    expect(alwaysDetailed(candidate({ results: [{ matched: false, status: "skipped" }] }))).toBe(false);
  });

  it("keeps at most N unmatched events per namespace, discriminator and minute, counting earlier batches", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            discriminator: fc.constantFrom("a", "b"),
            minute: fc.integer({ min: 0, max: 2 }),
            matched: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        (events, perMinute, earlier) => {
          const candidates = events.map((event) =>
            candidate({
              discriminator: event.discriminator,
              receivedAt: (1000 + event.minute) * 60_000,
              outcome: event.matched ? "submitted" : "no_match",
            }),
          );
          const soFar = new Map([
            [sampleKeyOf(sampleKey(candidate({ receivedAt: 1000 * 60_000, discriminator: "a" }))), earlier],
          ]);
          const kept = chooseDetailed(candidates, soFar, perMinute);
          const perKey = new Map<string, number>();
          for (const [index, event] of candidates.entries()) {
            if (event.outcome === "submitted") {
              expect(kept[index]).toBe(true);
              continue;
            }
            if (!kept[index]) continue;
            const key = sampleKeyOf(sampleKey(event));
            perKey.set(key, (perKey.get(key) ?? 0) + 1);
          }
          for (const [key, count] of perKey)
            expect(count + (soFar.get(key) ?? 0)).toBeLessThanOrEqual(Math.max(perMinute, soFar.get(key) ?? 0));
          // The first ones of a key are the ones kept.
          for (const [index, event] of candidates.entries()) {
            if (event.outcome === "submitted" || kept[index]) continue;
            const key = sampleKeyOf(sampleKey(event));
            expect((perKey.get(key) ?? 0) + (soFar.get(key) ?? 0)).toBeGreaterThanOrEqual(perMinute);
          }
        },
      ),
    );
  });
});

describe("counts and ids", () => {
  it("an outcome that moves on moves its count; one that stays moves nothing", () => {
    const base = { namespace: "ns", discriminator: "d", receivedAt: 120_000 };
    expect(outcomeMoves([{ ...base, from: "pending", to: "submitted" }])).toEqual([
      { minute: 2, namespace: "ns", discriminator: "d", outcome: "pending", events: -1, detailed: -1 },
      { minute: 2, namespace: "ns", discriminator: "d", outcome: "submitted", events: 1, detailed: 1 },
    ]);
    expect(outcomeMoves([{ ...base, from: "failed", to: "failed" }])).toEqual([]);
    expect(minuteOf(119_999)).toBe(1);
  });

  it("an id floor sorts below every id of its time and above every earlier one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 10_000 }), (time, gap) => {
        const floor = eventIdFloor(time);
        expect(eventIdTime(floor)).toBe(time);
        expect(newEventId(time + gap) > floor).toBe(true);
      }),
    );
  });
});
