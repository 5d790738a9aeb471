import { minuteOf, type SampleKey, sampleKeyOf } from "./counts";
import type { BindingResult, EventOutcome } from "./results";

/**
 * Which events keep a row in the event log. People look at what ran and why, at counts, and —
 * debugging — at recent raw events: so every event a binding matched keeps its row (with every
 * result), as does every event someone waits for (`?wait`), replays and events that failed;
 * events no binding matched keep a row only for the first few per namespace, discriminator and
 * minute (EVENT_SAMPLE_PER_MINUTE). The others are counted, and their bodies stay in their
 * batch's pack for replay until retention ends.
 */

/** One new event as the sampler sees it. */
export interface SampleCandidate {
  namespace: string;
  discriminator: string;
  receivedAt: number;
  outcome: EventOutcome;
  results: readonly Pick<BindingResult, "matched" | "status">[];
  replayOf?: string | undefined;
  receipt?: boolean | undefined;
  error?: string | null;
}

/** Rows this isolate kept for unmatched events, per sample key (recent minutes only). */
const keptHere = new Map<string, { minute: number; count: number }>();
const MAX_REMEMBERED_KEYS = 5_000;

/** The rows this isolate kept for unmatched events, by sampleKeyOf — the sampler's counts when the batch read none. */
export function keptInIsolate(): Map<string, number> {
  return new Map([...keptHere].map(([key, entry]) => [key, entry.count]));
}

/** Remembers the unmatched events this isolate kept a row for. */
export function noteKept(candidates: readonly SampleCandidate[], now = Date.now()): void {
  if (keptHere.size > MAX_REMEMBERED_KEYS) {
    const recent = minuteOf(now) - 1;
    for (const [key, entry] of keptHere) if (entry.minute < recent) keptHere.delete(key);
  }
  for (const candidate of candidates) {
    if (alwaysDetailed(candidate)) continue;
    const key = sampleKey(candidate);
    const id = sampleKeyOf(key);
    const entry = keptHere.get(id);
    if (entry) entry.count += 1;
    else keptHere.set(id, { minute: key.minute, count: 1 });
  }
}

/** Outcomes of events that no binding fired for. */
const UNMATCHED: ReadonlySet<EventOutcome> = new Set(["no_match", "no_bindings"]);

/** True when an event always keeps its row (someone will look at it), whatever the sample says. */
export function alwaysDetailed(candidate: SampleCandidate): boolean {
  return (
    !UNMATCHED.has(candidate.outcome) ||
    candidate.results.some((result) => result.matched || result.status === "failed") ||
    candidate.replayOf !== undefined ||
    candidate.receipt === true ||
    (candidate.error ?? null) !== null
  );
}

/** The sampler's key of an event: its namespace's discriminator in its minute. */
export function sampleKey(candidate: Pick<SampleCandidate, "namespace" | "discriminator" | "receivedAt">): SampleKey {
  return {
    minute: minuteOf(candidate.receivedAt),
    namespace: candidate.namespace,
    discriminator: candidate.discriminator,
  };
}

/**
 * Which of these events keep a row (same order): those that always do, then unmatched ones while
 * their key has kept fewer than `perMinute` this minute (`soFar`: rows kept by earlier batches,
 * by sampleKeyOf).
 */
export function chooseDetailed(
  candidates: readonly SampleCandidate[],
  soFar: ReadonlyMap<string, number>,
  perMinute: number,
): boolean[] {
  const kept = new Map(soFar);
  return candidates.map((candidate) => {
    if (alwaysDetailed(candidate)) return true;
    const key = sampleKeyOf(sampleKey(candidate));
    const count = kept.get(key) ?? 0;
    if (count >= perMinute) return false;
    kept.set(key, count + 1);
    return true;
  });
}
