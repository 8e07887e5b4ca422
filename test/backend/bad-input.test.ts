/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// A table of bad inputs: each is answered by a problem document naming the field, and the store is unchanged.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import type { FieldRule } from "../../schemas/problem.ts";
import { describeEachStore, newAccount, order, start, TERMS, userBody, type Client } from "./harness.ts";

interface Case {
  name: string;
  method: "POST" | "PATCH" | "GET";
  path: string; // {user} {device} {ul} {dl} are replaced
  body?: unknown;
  field: string;
  /** The rule the problem names for that field, where the case is about one. */
  rule?: FieldRule;
  status?: number;
}

const U = (extra: Record<string, unknown>): Record<string, unknown> => userBody("{ul2}", "299", extra);
const omit = (key: string): Record<string, unknown> => {
  const b = U({});
  delete b[key];
  return b;
};

const cases: Case[] = [
  {
    name: "order without items",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [] },
    field: "items",
    rule: "too-few",
  },
  {
    name: "order without terms",
    method: "POST",
    path: "/v1/orders",
    body: { items: [{ product: "sip-device-licence" }] },
    field: "termsVersion",
    rule: "required",
  },
  {
    name: "order with unknown product",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "fax-licence" }] },
    field: "items.0.product",
    rule: "one-of",
  },
  {
    name: "user licence without call plan",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "user-licence" }] },
    field: "items.0.callPlan",
    rule: "required",
  },
  {
    name: "device licence with call plan",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "sip-device-licence", callPlan: "international" }] },
    field: "items.0.callPlan",
    rule: "forbidden",
  },
  {
    name: "unknown call plan",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "user-licence", callPlan: "galactic" }] },
    field: "items.0.callPlan",
  },
  {
    name: "unknown order field",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "sip-device-licence" }], discount: 50 },
    field: "discount",
    rule: "unknown-field",
  },
  {
    name: "unknown order item field",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "sip-device-licence", quantity: 2 }] },
    field: "items.0.quantity",
    rule: "unknown-field",
  },
  {
    name: "order clientReference with spaces",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: [{ product: "sip-device-licence" }], clientReference: "a b" },
    field: "clientReference",
    rule: "pattern",
  },
  {
    name: "items not an array",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: TERMS, items: "all" },
    field: "items",
    rule: "type",
  },
  {
    name: "outdated terms",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: "2000-01", items: [{ product: "sip-device-licence" }] },
    field: "termsVersion",
    rule: "current-terms",
  },
  {
    name: "duplicate item clientReference",
    method: "POST",
    path: "/v1/orders",
    body: {
      termsVersion: TERMS,
      items: [
        { product: "sip-device-licence", clientReference: "x" },
        { product: "sip-device-licence", clientReference: "x" },
      ],
    },
    field: "items.1.clientReference",
    rule: "unique",
  },
  {
    name: "device without name",
    method: "POST",
    path: "/v1/devices",
    body: { licenceId: "{dl2}" },
    field: "name",
    rule: "required",
  },
  {
    name: "device with empty name",
    method: "POST",
    path: "/v1/devices",
    body: { name: "  ", licenceId: "{dl2}" },
    field: "name",
    rule: "too-short",
  },
  {
    name: "device with a 101-character name",
    method: "POST",
    path: "/v1/devices",
    body: { name: "x".repeat(101), licenceId: "{dl2}" },
    field: "name",
    rule: "too-long",
  },
  { name: "device without licence", method: "POST", path: "/v1/devices", body: { name: "Desk" }, field: "licenceId" },
  {
    name: "device with malformed licence id",
    method: "POST",
    path: "/v1/devices",
    body: { name: "Desk", licenceId: "42" },
    field: "licenceId",
    rule: "pattern",
  },
  {
    name: "device with unknown field",
    method: "POST",
    path: "/v1/devices",
    body: { name: "Desk", licenceId: "{dl2}", mac: "00:11" },
    field: "mac",
    rule: "unknown-field",
  },
  {
    name: "device with a password",
    method: "POST",
    path: "/v1/devices",
    body: { name: "Desk", licenceId: "{dl2}", sipPassword: "hunter2" },
    field: "sipPassword",
  },
  { name: "device rename to empty", method: "PATCH", path: "/v1/devices/{device}", body: { name: "" }, field: "name" },
  {
    name: "device update with unknown field",
    method: "PATCH",
    path: "/v1/devices/{device}",
    body: { sipUsername: "mine" },
    field: "sipUsername",
  },
  { name: "user without name", method: "POST", path: "/v1/users", body: omit("name"), field: "name" },
  { name: "user without extension", method: "POST", path: "/v1/users", body: omit("extension"), field: "extension" },
  {
    name: "one-digit extension",
    method: "POST",
    path: "/v1/users",
    body: U({ extension: "7" }),
    field: "extension",
    rule: "pattern",
  },
  {
    name: "six-digit extension",
    method: "POST",
    path: "/v1/users",
    body: U({ extension: "123456" }),
    field: "extension",
  },
  {
    name: "extension with letters",
    method: "POST",
    path: "/v1/users",
    body: U({ extension: "12a" }),
    field: "extension",
  },
  {
    name: "emergency number as extension",
    method: "POST",
    path: "/v1/users",
    body: U({ extension: "999" }),
    field: "extension",
    rule: "not-emergency",
  },
  {
    name: "numeric extension",
    method: "POST",
    path: "/v1/users",
    body: U({ extension: 201 }),
    field: "extension",
    rule: "type",
  },
  {
    name: "user without licence",
    method: "POST",
    path: "/v1/users",
    body: omit("licenceId"),
    field: "licenceId",
    rule: "required",
  },
  {
    name: "user with unknown call plan",
    method: "POST",
    path: "/v1/users",
    body: U({ callPlan: "free" }),
    field: "callPlan",
    rule: "one-of",
  },
  {
    name: "area prefix with letters",
    method: "POST",
    path: "/v1/users",
    body: U({ areaPrefix: "0a0" }),
    field: "areaPrefix",
  },
  {
    name: "area prefix too long",
    method: "POST",
    path: "/v1/users",
    body: U({ areaPrefix: "012345678" }),
    field: "areaPrefix",
  },
  {
    name: "area prefix a lone 0",
    method: "POST",
    path: "/v1/users",
    body: U({ areaPrefix: "0" }),
    field: "areaPrefix",
  },
  {
    name: "area prefix 00 (an international prefix, not an area)",
    method: "POST",
    path: "/v1/users",
    body: U({ areaPrefix: "00" }),
    field: "areaPrefix",
  },
  {
    name: "user update to area prefix 0",
    method: "PATCH",
    path: "/v1/users/{user}",
    body: { areaPrefix: "0" },
    field: "areaPrefix",
  },
  {
    name: "caller ID not E.164",
    method: "POST",
    path: "/v1/users",
    body: U({ outboundCallerId: "02079460000" }),
    field: "outboundCallerId",
  },
  {
    name: "caller ID not the account's",
    method: "POST",
    path: "/v1/users",
    body: U({ outboundCallerId: "+15555550100" }),
    field: "outboundCallerId",
    rule: "account-number",
  },
  {
    name: "recording enabled without email",
    method: "POST",
    path: "/v1/users",
    body: U({ recording: { enabled: true, subject: "s" } }),
    field: "recording.email",
    rule: "required",
  },
  {
    name: "recording enabled without subject",
    method: "POST",
    path: "/v1/users",
    body: U({ recording: { enabled: true, email: "a@example.com" } }),
    field: "recording.subject",
  },
  {
    name: "recording with a bad email",
    method: "POST",
    path: "/v1/users",
    body: U({ recording: { enabled: true, email: "not-an-email", subject: "s" } }),
    field: "recording.email",
    rule: "email",
  },
  {
    name: "recording with unknown field",
    method: "POST",
    path: "/v1/users",
    body: U({ recording: { enabled: false, cc: "x" } }),
    field: "recording.cc",
  },
  {
    name: "recording enabled as a string",
    method: "POST",
    path: "/v1/users",
    body: U({ recording: { enabled: "yes" } }),
    field: "recording.enabled",
    rule: "type",
  },
  {
    name: "user with unknown field",
    method: "POST",
    path: "/v1/users",
    body: U({ voicemail: true }),
    field: "voicemail",
  },
  {
    name: "user update with bad extension",
    method: "PATCH",
    path: "/v1/users/{user}",
    body: { extension: "1" },
    field: "extension",
  },
  {
    name: "user update with unknown field",
    method: "PATCH",
    path: "/v1/users/{user}",
    body: { id: "usr_x" },
    field: "id",
  },
  {
    name: "user update turning recording on without email",
    method: "PATCH",
    path: "/v1/users/{user}",
    body: { recording: { enabled: true, subject: "s" } },
    field: "recording.email",
  },
  { name: "link without device id", method: "POST", path: "/v1/users/{user}/devices", body: {}, field: "deviceId" },
  {
    name: "link an unknown device",
    method: "POST",
    path: "/v1/users/{user}/devices",
    body: { deviceId: "dev_aaaaaaaaaaaaaaaaaaaa" },
    field: "deviceId",
    rule: "exists",
  },
  {
    name: "cancel with unknown effective",
    method: "POST",
    path: "/v1/subscriptions/{dl}/cancel",
    body: { effective: "yesterday", termsVersion: TERMS },
    field: "effective",
    rule: "one-of",
  },
  {
    name: "cancel with unknown field",
    method: "POST",
    path: "/v1/subscriptions/{dl}/cancel",
    body: { refund: true, termsVersion: TERMS },
    field: "refund",
  },
  {
    name: "cancel terms holding NUL",
    method: "POST",
    path: "/v1/subscriptions/{dl}/cancel",
    body: { termsVersion: `${TERMS}\u0000` },
    field: "termsVersion",
    rule: "control-character",
  },
  {
    name: "call plan change to unknown plan",
    method: "POST",
    path: "/v1/subscriptions/{ul}/call-plan",
    body: { callPlan: "free" },
    field: "callPlan",
  },
  {
    name: "subscription filter with unknown status",
    method: "GET",
    path: "/v1/subscriptions?status=paused",
    field: "status",
  },
  {
    name: "subscription filter with unknown parameter",
    method: "GET",
    path: "/v1/subscriptions?colour=red",
    field: "colour",
  },
  {
    name: "change set with unknown field",
    method: "POST",
    path: "/v1/change-sets",
    body: { owner: "me" },
    field: "owner",
  },
  { name: "audit with negative after", method: "GET", path: "/v1/audit?after=-1", field: "after" },
  {
    name: "user name holding NUL",
    method: "POST",
    path: "/v1/users",
    body: U({ name: "John\u0000Smith" }),
    field: "name",
    rule: "control-character",
  },
  {
    name: "user name holding an unpaired surrogate",
    method: "POST",
    path: "/v1/users",
    body: U({ name: "John\uD800Smith" }),
    field: "name",
    rule: "ill-formed-unicode",
  },
  {
    name: "user name holding a right-to-left override",
    method: "POST",
    path: "/v1/users",
    body: U({ name: "John\u202ESmith" }),
    field: "name",
    rule: "bidi-control",
  },
  {
    name: "user name holding a line break",
    method: "POST",
    path: "/v1/users",
    body: U({ name: "John\nSmith" }),
    field: "name",
    rule: "control-character",
  },
  {
    name: "user rename holding an escape sequence",
    method: "PATCH",
    path: "/v1/users/{user}",
    body: { name: "\u001b[2J\u001b]0;pwned\u0007" },
    field: "name",
    rule: "control-character",
  },
  {
    name: "user rename holding an unpaired surrogate",
    method: "PATCH",
    path: "/v1/users/{user}",
    body: { name: "\uDC00John" },
    field: "name",
    rule: "ill-formed-unicode",
  },
  {
    name: "recording subject holding a header break",
    method: "POST",
    path: "/v1/users",
    body: U({ recording: { enabled: true, email: "a@example.com", subject: "Calls\r\nBcc: x@example.com" } }),
    field: "recording.subject",
    rule: "control-character",
  },
  {
    name: "device name holding a C1 control",
    method: "POST",
    path: "/v1/devices",
    body: { name: "Desk\u0085", licenceId: "{dl2}" },
    field: "name",
    rule: "control-character",
  },
  {
    name: "device name holding a pop-directional isolate",
    method: "POST",
    path: "/v1/devices",
    body: { name: "Desk\u2069", licenceId: "{dl2}" },
    field: "name",
    rule: "bidi-control",
  },
  {
    name: "device rename holding NUL",
    method: "PATCH",
    path: "/v1/devices/{device}",
    body: { name: "Desk\u0000" },
    field: "name",
    rule: "control-character",
  },
  {
    name: "change set description holding NUL",
    method: "POST",
    path: "/v1/change-sets",
    body: { description: "nightly\u0000" },
    field: "description",
    rule: "control-character",
  },
  {
    name: "change set description holding an unpaired surrogate",
    method: "POST",
    path: "/v1/change-sets",
    body: { description: "\uD83D" },
    field: "description",
    rule: "ill-formed-unicode",
  },
  {
    name: "order terms holding NUL",
    method: "POST",
    path: "/v1/orders",
    body: { termsVersion: "2025-01\u0000", items: [{ product: "sip-device-licence" }] },
    field: "termsVersion",
    rule: "control-character",
  },
];

describeEachStore("bad input", (store) => {
  let backend: Backend;
  let c: Client;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    backend = await start(store);
    c = await newAccount(backend);
    const [ul, dl, ul2, dl2] = await order(c, [
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
      { product: "user-licence", callPlan: "pay-as-you-go" },
      { product: "sip-device-licence" },
    ]);
    Object.assign(ids, { ul, dl, ul2, dl2 });
    ids.user = (await c.post("/v1/users", userBody(ul!, "201"))).body.id;
    ids.device = (await c.post("/v1/devices", { name: "Desk", licenceId: dl })).body.id;
  });
  afterAll(async () => backend.stop());

  const fill = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v ?? null).replace(/\{(\w+)\}/g, (_, k: string) => ids[k] ?? k));

  it(`has at least 40 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name → problem naming $field, store unchanged", async (tc) => {
    const snapshot = async (): Promise<unknown> => [
      (await c.get("/v1/users")).body,
      (await c.get("/v1/devices")).body,
      (await c.get("/v1/subscriptions")).body,
      (await c.get("/v1/orders")).body,
      (await c.get("/v1/change-sets")).body,
      (await c.get("/v1/revisions")).body,
    ];
    const before = await snapshot();
    const path = fill(tc.path) as string;
    const r = tc.method === "GET" ? await c.get(path) : await c.call(tc.method, path, fill(tc.body));
    expect(r.headers.get("content-type")).toContain("application/problem+json");
    expect(r.status).toBe(tc.status ?? 422);
    expect(r.body.fields.map((f: { path: string }) => f.path)).toContain(tc.field);
    expect(r.body.fields.every((f: { rule: string }) => typeof f.rule === "string" && f.rule.length > 0)).toBe(true);
    if (tc.rule !== undefined)
      expect(r.body.fields.find((f: { path: string }) => f.path === tc.field).rule).toBe(tc.rule);
    expect(await snapshot()).toEqual(before);
  });

  it("keeps names in any script, with emoji, and a change-set description of several lines, exactly", async () => {
    const renamed = await c.patch(fill("/v1/devices/{device}") as string, { name: "Zoë's 電話 ☎️ (front desk)" });
    expect(renamed.status).toBe(200);
    expect((await c.get(fill("/v1/devices/{device}") as string)).body.name).toBe("Zoë's 電話 ☎️ (front desk)");
    const opened = await c.post("/v1/change-sets", {
      description: "Site move:\n\t- John to 2nd floor\r\n\t- Priya stays",
    });
    expect(opened.status).toBe(201);
    expect(opened.body.description).toBe("Site move:\n\t- John to 2nd floor\r\n\t- Priya stays");
    expect((await c.call("DELETE", `/v1/change-sets/${opened.body.id}`)).status).toBe(204);
  });
});
