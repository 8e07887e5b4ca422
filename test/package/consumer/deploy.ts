// Runs the program with the Automation API: `node bin/deploy.js up|preview|destroy [extension]`, or
// `import FILE`: a stack exported elsewhere (`pulumi stack export`) becomes this stack.
// The backend comes from stack config (pbx:endpoint, secret pbx:token); the state backend and its
// passphrase from PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE.
import { readFileSync } from "node:fs";
import { type Deployment, LocalWorkspace } from "@pulumi/pulumi/automation";
import { john } from "./index";

async function main(): Promise<void> {
  const [command, extension] = process.argv.slice(2);
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: "platform-estate", stackName: "dev", program: async () => john() },
    { workDir: process.cwd(), projectSettings: { name: "platform-estate", runtime: "nodejs", backend: { url: process.env.PULUMI_BACKEND_URL ?? "" } } },
  );
  await stack.setAllConfig({
    "pbx:endpoint": { value: process.env.BACKEND_URL ?? "" },
    "pbx:token": { value: process.env.BACKEND_TOKEN ?? "", secret: true },
    "platform-estate:termsVersion": { value: "2025-01" },
    "platform-estate:callerId": { value: "+442079460000" },
    ...(extension && command !== "import" ? { "platform-estate:extension": { value: extension } } : {}),
  });
  if (command === "up") {
    const result = await stack.up();
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
    console.log(JSON.stringify({ changes: result.summary.resourceChanges ?? {}, outputs }));
  } else if (command === "preview") {
    const result = await stack.preview();
    console.log(JSON.stringify({ changes: result.changeSummary }));
  } else if (command === "import") {
    await stack.importStack(JSON.parse(readFileSync(extension ?? "", "utf8")) as Deployment);
  } else if (command === "destroy") {
    const result = await stack.destroy();
    console.log(JSON.stringify({ changes: result.summary.resourceChanges ?? {} }));
  } else {
    throw new Error(`unknown command ${command ?? ""}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
