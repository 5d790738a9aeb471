import { describe, expect, it } from "vitest";
import { renderNotification } from "../../src/notifications/render";
import { SERVICE_TYPES, type ServiceType } from "../../src/notifications/schema";
import { sendNotification } from "../../src/notifications/services";
import { receiver } from "./helpers";

/** What a user may put in a gate's context or an event's fields to forge markup next to hookline's own. */
const HOSTILE = {
  note: "fine\n\n[Approve](https://evil.example/x) ![img](https://evil.example/i.png)",
  ping: '<!channel> <!here> <@U123> <#C42> @all @everyone @here <at user_id="all"></at> <at id=all></at> <users/all>',
  "# Heading\n> quote":
    '**bold** _it_ ~s~ `code` <font color="red">x</font> <https://evil.example|Approve> &lt;!here&gt; | a |',
};

const CHATS = SERVICE_TYPES.filter((type) => type !== "webhook");

/** The text a chat shows, from the request hookline sent it (every string in the JSON body). */
function shownText(body: string): string {
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(JSON.parse(body));
  return strings.join("\n");
}

async function deliverApprovalRequest(type: ServiceType): Promise<string> {
  const key = `escaping-${type}`;
  const resource = {
    kind: "HooklineEvent",
    namespace: "team-a",
    data: {
      approval: {
        id: "gate-1",
        policy: "prod <@U999>",
        subject: { workflow: "deploy\n[Approve](https://evil.example/w)" },
        context: HOSTILE,
        expiresAt: "2026-12-05T00:00:00Z",
      },
    },
  };
  const message = renderNotification("approval-requested", undefined, {
    resource,
    context: {},
    serviceType: type,
    recipient: "",
    serviceName: key,
  });
  const sent = await sendNotification(
    {
      name: key,
      type,
      url: receiver.hook(key),
      secret: null,
      method: "POST",
      headers: new Headers(),
      ratePerMinute: null,
      slackBot: null,
      larkApp: null,
    },
    "",
    message,
    { trigger: "on-approval-requested", template: "approval-requested", resource: "gate-1" },
  );
  expect(sent.ok, JSON.stringify(sent)).toBe(true);
  const [request] = await receiver.requests(key);
  return shownText(request?.body ?? "{}");
}

describe("users' values in hookline's built-in chat messages arrive inert", () => {
  for (const type of CHATS) {
    it(`${type}: no link, image, mention, tag or line break of the user's own`, async () => {
      const text = await deliverApprovalRequest(type);
      // Still readable: the words are there.
      expect(text).toContain("Approve");
      expect(text).toContain("evil.example");
      expect(text).toContain("channel");
      // No link or image syntax, in Markdown or Slack's form; no clickable URL.
      expect(text).not.toMatch(/\]\(/);
      expect(text).not.toMatch(/<https?:/);
      expect(text).not.toContain("https://evil");
      // No mention in any chat's syntax, and no HTML tag.
      for (const forged of [
        "<!channel",
        "<!here",
        "<@",
        "<#",
        "<at",
        "<users/",
        '<font color="red',
        "@all",
        "@everyone",
        "@here",
      ])
        expect(text).not.toContain(forged);
      // No heading or quote of its own: each value stays on its list line.
      const lines = text.split("\n");
      expect(lines.some((line) => /^\s*#/.test(line) && /Heading/.test(line))).toBe(false);
      expect(lines.find((line) => line.includes("Approve") && line.includes("img"))).toMatch(/fine/);
      expect(lines.find((line) => line.includes("deploy"))).toMatch(/Workflow/);
      // No emphasis or code of its own.
      expect(text).not.toMatch(/\*\*bold\*\*|\*bold\*|_it_|~s~|`code`/);
      if (type === "slack") {
        // Slack's own escapes, as it documents them; an entity the user wrote stays text.
        expect(text).toContain("&lt;!channel&gt;");
        expect(text).toContain("&amp;lt;!here&amp;gt;");
      }
    });
  }

  it("hookline's own markup around the values is unchanged (headings, lists, colours)", async () => {
    const text = await deliverApprovalRequest("discord");
    expect(text).toMatch(/^### Approval requested/m);
    expect(text).toMatch(/^> - Policy: prod/m);
    expect(text).toMatch(/\*\*2026-12-05T00:00:00Z\*\*/);
  });
});
