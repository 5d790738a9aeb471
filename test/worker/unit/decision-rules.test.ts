import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decider } from "../../../src/approvals/approvers";
import {
  type ChatMessage,
  decideManually,
  type GateState,
  MAX_CHAT_ATTEMPTS,
  openGate,
  recordChatSend,
} from "../../../src/approvals/gate-state";
import type { StoredPolicy } from "../../../src/approvals/policy";
import { claimCovers, globMatches, mayHold } from "../../../src/approvals/subject-claims";
import { parseNodeSelector, selectNodes, type WorkflowNode } from "../../../src/clusters/node-selector";
import { publicUrlOf } from "../../../src/lib/urls";

// The pure rules behind "decisions belong to the gate": what a chat decision is checked against,
// how a chat request's sending is recorded, which node a selector names, which policy claims it.

const policy: StoredPolicy = {
  name: "release",
  namespace: "prod",
  webhooks: [],
  manual: {
    required: true,
    approvers: ["slack:U0APPROVER", "console:manager"],
    chatLinks: true,
    channels: [
      { service: "slack-prod", recipients: ["#deploys"] },
      { service: "ding", recipients: [] },
    ],
  },
  timeout: "24h",
  timeoutMs: 86_400_000,
  onDecision: { setNode: true, outputParameter: "approved" },
  createdAt: "2026-12-05T00:00:00Z",
  updatedAt: "2026-12-05T00:00:00Z",
};

const ids = { slack: "S".repeat(22), ding: "D".repeat(22) };
const links = { approve: "A".repeat(22), reject: "R".repeat(22) };

/** A gate of `policy` whose two chat requests went out: buttons to Slack, links to DingTalk. */
function sentGate(): GateState {
  const { state } = openGate(
    {
      id: "g".repeat(46),
      namespace: "prod",
      policy,
      subject: null,
      context: {},
      publicUrl: "https://hookline.test",
      traceId: "1".repeat(32),
      callbacks: new Map(),
      messages: [
        {
          service: "slack-prod",
          recipient: "#deploys",
          id: ids.slack,
          links: { approve: "x".repeat(22), reject: "y".repeat(22) },
        },
        { service: "ding", recipient: "", id: ids.ding, links },
      ],
    },
    0,
  );
  recordChatSend(state, 0, { kind: "sent", carried: "buttons", serviceMessageId: "1700000000.000100" }, () => 1000, 1);
  recordChatSend(state, 1, { kind: "sent", carried: "links", serviceMessageId: null }, () => 1000, 1);
  return state;
}

const click = (user: string, origin: Partial<NonNullable<Decider["through"]>> = {}): Decider => ({
  by: `slack:${user}`,
  via: "slack:slack-prod",
  identities: [`slack:${user}`],
  through: { services: ["slack-prod"], message: ids.slack, ...origin },
});

const link = (action: "approve" | "reject", origin: Partial<NonNullable<Decider["through"]>> = {}): Decider => ({
  by: "link:ding",
  via: "link:ding",
  identities: ["link:ding"],
  once: true,
  through: { services: ["ding"], message: ids.ding, link: links[action], ...origin },
});

describe("a chat decision counts only against the gate's own record", () => {
  it("the approver's click on the gate's Slack message decides", () => {
    const state = sentGate();
    expect(decideManually(state, true, "", click("U0APPROVER"), 2).result.ok).toBe(true);
    expect(state.status).toBe("approved");
  });

  it("refuses clicks through other services, on other messages, on other service messages, and by non-approvers", () => {
    const refusals: Array<[Decider, RegExp]> = [
      [click("U0APPROVER", { services: ["slack-rogue"] }), /not sent by the gate through service "slack-rogue"/],
      [click("U0APPROVER", { services: [] }), /no service that carries approval decisions/],
      [click("U0APPROVER", { message: "Z".repeat(22) }), /not sent by the gate/],
      [click("U0APPROVER", { serviceMessageId: "1700000000.999999" }), /did not send/],
      [click("U0APPROVER", { services: ["ding"], message: ids.ding }), /carries no buttons/],
      [click("U0INTRUDER"), /not an approver/],
      [link("approve", { link: links.reject }), /link was not sent/],
      [link("approve", { link: "Q".repeat(22) }), /link was not sent/],
      [link("approve", { message: ids.slack, services: ["slack-prod"] }), /link was not sent/],
      // A chat identity outside chat, and a console identity from chat, are no approvers.
      [{ by: "slack:U0APPROVER", via: "api", identities: ["slack:U0APPROVER"] }, /not an approver/],
      [{ ...click("U0APPROVER"), identities: ["console:manager"] }, /not an approver/],
    ];
    // Everything but the audit, which records the refused attempt.
    const decisionPart = ({ audit: _, ...rest }: GateState) => JSON.stringify(rest);
    for (const [decider, reason] of refusals) {
      const state = sentGate();
      const before = decisionPart(state);
      const { result } = decideManually(state, true, "", decider, 2);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(reason);
      expect(decisionPart(state)).toBe(before);
      expect(state.audit?.at(-1)).toMatchObject({ counted: false, reason: expect.stringMatching(reason) });
    }
  });

  it("each link decides only its own action, once", () => {
    const state = sentGate();
    expect(decideManually(state, false, "", link("reject"), 2).result.ok).toBe(true);
    expect(state.status).toBe("rejected");
    const again = decideManually(state, true, "", link("approve"), 3).result;
    expect(again.ok === false && again.error.code).toBe("gone");
  });

  it("property: a chat decision changes the gate only when it names a sent message, through its service, with its link", () => {
    const services = fc.constantFrom("slack-prod", "ding", "slack-rogue");
    fc.assert(
      fc.property(
        fc.record({
          services: fc.uniqueArray(services, { maxLength: 3 }),
          message: fc.constantFrom(ids.slack, ids.ding, "Z".repeat(22)),
          link: fc.option(fc.constantFrom(links.approve, links.reject, "x".repeat(22)), { nil: undefined }),
          user: fc.constantFrom("U0APPROVER", "U0INTRUDER"),
          approve: fc.boolean(),
        }),
        ({ services: through, message, link: linkId, user, approve }) => {
          const state = sentGate();
          const identity = linkId === undefined ? `slack:${user}` : "link:ding";
          const decider: Decider = {
            by: identity,
            via: identity,
            identities: [identity],
            through: { services: through, message, ...(linkId === undefined ? {} : { link: linkId }) },
          };
          decideManually(state, approve, "", decider, 2);
          const sent = state.messages?.find((candidate) => candidate.id === message);
          const counts =
            sent !== undefined &&
            (through as readonly string[]).includes(sent.service) &&
            (linkId === undefined
              ? sent.kind === "buttons" && user === "U0APPROVER"
              : sent.kind === "links" && linkId === (approve ? links.approve : links.reject));
          expect(state.status !== "pending").toBe(counts);
        },
      ),
    );
  });
});

describe("a gate's chat requests", () => {
  it("are retried with backoff, wait without spending attempts, and fail after MAX_CHAT_ATTEMPTS", () => {
    const { state } = openGate(
      {
        id: "h".repeat(46),
        namespace: "prod",
        policy,
        subject: null,
        context: {},
        publicUrl: "https://hookline.test",
        traceId: "1".repeat(32),
        callbacks: new Map(),
        messages: [{ service: "ding", recipient: "", id: ids.ding, links }],
      },
      0,
    );
    const message = state.messages?.[0] as ChatMessage;
    expect(recordChatSend(state, 0, { kind: "wait", until: 5000 }, () => 1000, 10).schedule).toEqual([
      ["chat:0", 5000],
    ]);
    expect(message.attempts).toBe(0);
    for (let attempt = 1; attempt < MAX_CHAT_ATTEMPTS; attempt++) {
      const plan = recordChatSend(state, 0, { kind: "failed", message: "503", permanent: false }, () => 1000, 10);
      expect(plan.schedule).toEqual([["chat:0", 1010]]);
    }
    recordChatSend(state, 0, { kind: "failed", message: "503", permanent: false }, () => 1000, 10);
    expect(message).toMatchObject({ phase: "failed", attempts: MAX_CHAT_ATTEMPTS, lastError: "503" });
    // A failed request never decides the gate.
    expect(state.status).toBe("pending");
  });

  it("a decided gate sends nothing more", () => {
    const state = sentGate();
    if (state.messages?.[1]) state.messages[1].phase = "sending";
    decideManually(state, true, "", click("U0APPROVER"), 2);
    expect(recordChatSend(state, 1, { kind: "failed", message: "x", permanent: false }, () => 1000, 3)).toEqual({
      schedule: [],
      unschedule: ["chat:1"],
    });
  });
});

const node = (fields: Partial<WorkflowNode>): WorkflowNode => ({
  id: "wf-1",
  name: "wf[0].approve",
  displayName: "approve",
  type: "Suspend",
  phase: "Running",
  templateName: "approve",
  templateRef: null,
  parameters: new Map(),
  ...fields,
});

describe("node field selectors, as Argo reads them", () => {
  const nodes = [
    node({ id: "wf", name: "wf", displayName: "wf", type: "Steps", templateName: "main" }),
    node({}),
    node({
      id: "wf-2",
      name: "wf[1].approve",
      templateName: null,
      templateRef: { name: "lib", template: "gate" },
      parameters: new Map([["env", "prod"]]),
    }),
  ];
  const pick = (selector: string) => {
    const terms = parseNodeSelector(selector);
    if (!terms.ok) throw new Error(terms.error.message);
    return selectNodes(nodes, terms.value).map((picked) => picked.id);
  };

  it("a bare name is a display name; fields, != and commas combine", () => {
    expect(pick("approve")).toEqual(["wf-1", "wf-2"]);
    expect(pick("id=wf-1")).toEqual(["wf-1"]);
    expect(pick("name==wf[1].approve")).toEqual(["wf-2"]);
    expect(pick("displayName=approve,templateRef.template=gate")).toEqual(["wf-2"]);
    expect(pick("displayName=approve,id!=wf-2")).toEqual(["wf-1"]);
    expect(pick("inputs.parameters.env.value=prod")).toEqual(["wf-2"]);
    expect(pick("phase=Running")).toEqual(["wf", "wf-1", "wf-2"]);
  });

  it("refuses unknown fields and terms without an operator", () => {
    expect(parseNodeSelector("owner=me").ok).toBe(false);
    expect(parseNodeSelector("id=wf,nonsense").ok).toBe(false);
  });
});

describe("subject claims", () => {
  it("globs match whole names with * and ?", () => {
    expect(globMatches("deploy-*", "deploy-prod")).toBe(true);
    expect(globMatches("deploy-?", "deploy-1")).toBe(true);
    expect(globMatches("deploy-?", "deploy-12")).toBe(false);
    expect(globMatches("deploy.prod", "deployxprod")).toBe(false);
    expect(globMatches("deploy", "deploy-prod")).toBe(false);
  });

  it("a node claimed by another policy is refused naming it; unclaimed or own nodes are held", () => {
    const prodNode = { id: "n", workflowTemplate: "deploy-prod", template: "approve" };
    const policies = [
      { name: "release", subjects: [{ workflowTemplate: "deploy-*", template: "approve" }] },
      { name: "lax", subjects: [] },
    ];
    expect(claimCovers({ template: "approve" }, prodNode)).toBe(true);
    expect(claimCovers({ workflowTemplate: "deploy-*" }, { ...prodNode, workflowTemplate: null })).toBe(false);
    expect(mayHold(policies, "release", prodNode).ok).toBe(true);
    const refused = mayHold(policies, "lax", prodNode);
    expect(refused.ok === false && refused.error.message).toContain('policy "release"');
    expect(mayHold(policies, "lax", { ...prodNode, workflowTemplate: "staging" }).ok).toBe(true);
  });
});

describe("PUBLIC_URL", () => {
  it("is the only origin links are built from: an https origin (http for loopback), else refused naming it", () => {
    expect(publicUrlOf({ PUBLIC_URL: "https://hookline.example.com/" })).toBe("https://hookline.example.com");
    expect(publicUrlOf({ PUBLIC_URL: "http://localhost:8787" })).toBe("http://localhost:8787");
    for (const value of ["", "http://hookline.example.com", "https://hookline.example.com/path", "nonsense"]) {
      expect(() => publicUrlOf({ PUBLIC_URL: value })).toThrow(/PUBLIC_URL/);
    }
  });
});

describe("quorum", () => {
  const quorumPolicy = (quorum: number): StoredPolicy => ({
    ...policy,
    manual: { required: true, quorum, approvers: ["email:*@example.com"] },
  });
  const openWith = (quorum: number) =>
    openGate(
      {
        id: "q".repeat(46),
        namespace: "prod",
        policy: quorumPolicy(quorum),
        subject: null,
        context: {},
        publicUrl: "https://hookline.test",
        traceId: "1".repeat(32),
        callbacks: new Map(),
        messages: [],
      },
      0,
    ).state;

  it("property: a gate approves exactly when distinct people reach the quorum, whatever channel each used", () => {
    const people = ["ana", "ben", "cy", "dee"];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ who: fc.constantFrom(...people), via: fc.constantFrom("api", "console") }), {
          maxLength: 8,
        }),
        (quorum, attempts) => {
          const state = openWith(quorum);
          const seen = new Set<string>();
          for (const [index, { who, via }] of attempts.entries()) {
            const email = `${who}@example.com`;
            decideManually(
              state,
              true,
              "",
              { by: `email:${email}`, via, identities: [`email:${email}`], person: email },
              index + 1,
            );
            seen.add(who);
            expect(state.status).toBe(seen.size >= quorum ? "approved" : "pending");
            if (state.status === "approved") break;
          }
          expect(new Set(state.approvals?.map((approval) => approval.person)).size).toBe(state.approvals?.length);
        },
      ),
    );
  });
});
