import type { RenderedMessage } from "../render";
import { robot } from "./http";

/** The Adaptive Card body for Teams: title, text, and an Argo CD template's facts, sections and actions. */
function teamsCard(message: RenderedMessage): Record<string, unknown> {
  const record = (value: unknown) =>
    value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const factSet = (facts: unknown[]) => ({
    type: "FactSet",
    facts: facts.map((fact) => ({ title: String(record(fact).name ?? ""), value: String(record(fact).value ?? "") })),
  });
  const body: unknown[] = [
    { type: "TextBlock", text: message.title, weight: "Bolder", size: "Medium", wrap: true },
    { type: "TextBlock", text: message.body, wrap: true },
  ];
  const teams = message.teams ?? {};
  if (teams.facts && teams.facts.length > 0) body.push(factSet(teams.facts));
  for (const section of teams.sections ?? []) {
    const { activityTitle, activitySubtitle, text, facts } = record(section);
    body.push({
      type: "Container",
      separator: true,
      items: [
        ...[activityTitle, activitySubtitle, text]
          .filter((part) => typeof part === "string" && part !== "")
          .map((part, i) => ({ type: "TextBlock", text: part, wrap: true, ...(i === 0 ? { weight: "Bolder" } : {}) })),
        ...(Array.isArray(facts) && facts.length > 0 ? [factSet(facts)] : []),
      ],
    });
  }
  // MessageCard's OpenUri actions become Action.OpenUrl (the first target's uri).
  const actions = (teams.potentialAction ?? []).flatMap((action) => {
    const { name, targets } = record(action);
    const uri = Array.isArray(targets) ? record(targets[0]).uri : undefined;
    return typeof uri === "string" ? [{ type: "Action.OpenUrl", title: String(name ?? uri), url: uri }] : [];
  });
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** Microsoft Teams workflows / connectors: the message as an Adaptive Card. */
export const teams = robot((service, _recipient, message) => ({
  url: service.url,
  body: JSON.stringify({
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: teamsCard(message) }],
  }),
}));
