// `npm start` (demo/main.ts --once) in a folder of its own: with the registrar and rtpengine installed it says
// John's outbound calls are recorded and where their mail goes (a local SMTP sink's private folder, or the
// configured SMTP relay without its credentials); and the sink itself keeps each mail as a private .eml file.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smtpRelay } from "../../backend/mail/relay.ts";
import { MAIL_SINK_SENDER, startMailSink } from "../../demo/mail-sink.ts";
import { repoRoot } from "../engine/harness.ts";
import { describeWithRelay } from "../registrar/with-relay.ts";

const scratch = mkdtempSync(join(tmpdir(), "pbx-demo-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The demo's environment: the caller's SMTP and Pulumi settings left out, `extra` added. */
function demoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PBX_SMTP_") && k !== "PBX_MAIL_FROM"),
  );
  return { ...env, ...extra };
}

function runDemo(projectDir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["demo/main.ts", "--once", "--port", "0", "--project-dir", projectDir], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

describeWithRelay("npm start records John's outbound calls", () => {
  const project = join(scratch, "project");
  mkdirSync(project);

  it("says mail goes to a local SMTP sink and makes its folder 0700", async () => {
    const run = await runDemo(project, demoEnv());
    expect(run.code, run.output).toBe(0);
    const mailFolder = join(project, ".pbx-estate", "mail");
    expect(run.output).toContain(
      `call recording: on; mail goes to a local SMTP sink: recorded calls are saved in ${mailFolder} as .eml files`,
    );
    expect(run.output).toMatch(
      /201 {2}John Smith {2}\(outbound calls recorded, mailed to call-recordings@example\.com\)/,
    );
    expect(run.output).toMatch(/200 {2}Priya Patel\n/); // no recording
    expect(statSync(mailFolder).mode & 0o777).toBe(0o700);
  });

  it("names the configured SMTP relay instead, never its credentials", async () => {
    const passwordFile = join(scratch, "smtp-password");
    const password = "correct horse battery staple";
    const env = demoEnv({
      PBX_SMTP_URL: "smtp://smtp.example.net:2525",
      PBX_SMTP_USER: "pbx-relay-login",
      PBX_SMTP_PASSWORD_FILE: passwordFile,
      PBX_MAIL_FROM: "recordings@example.net",
    });
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const run = await runDemo(project, env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(
      "call recording: on; mail goes through the SMTP relay smtp.example.net:2525 (starttls) from recordings@example.net",
    );
    expect(run.output).toContain("no changes: the estate was already applied");
    expect(run.output).not.toContain("local SMTP sink");
    expect(run.output).not.toContain(password);
    expect(run.output).not.toContain("pbx-relay-login");
  });
});

describe("the demo's SMTP sink", () => {
  it("saves each accepted mail as a 0600 .eml file in a 0700 folder", async () => {
    const folder = join(scratch, "sink", "mail");
    mkdirSync(folder, { recursive: true, mode: 0o755 });
    chmodSync(folder, 0o755); // an earlier run's wider folder is made private
    const accepted: string[] = [];
    const sink = await startMailSink(folder, { onAccepted: (f) => accepted.push(f) });
    try {
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      const relay = smtpRelay(sink.smtp);
      const message = Buffer.from(
        `From: ${MAIL_SINK_SENDER}\r\nTo: someone@example.com\r\nSubject: Outbound call\r\n\r\nhello\r\n`,
      );
      const answer = await relay.send(message, { from: MAIL_SINK_SENDER, to: "someone@example.com" });
      relay.close();
      expect(answer.kind).toBe("accepted");
      const files = readdirSync(folder);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      expect(accepted).toEqual([join(folder, files[0]!)]);
      expect(statSync(join(folder, files[0]!)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(folder, files[0]!), "utf8")).toContain("Subject: Outbound call");
    } finally {
      await sink.close();
    }
  });
});
