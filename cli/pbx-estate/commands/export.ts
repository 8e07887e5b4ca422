/**
 * `pbx-estate export --out <dir>`: an account built by hand in the portal, written as estate files, then
 * brought under management by an adopting apply — nothing is re-created, no licence is ordered — so the
 * next plan of those files shows no changes.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { estateFromAccount } from "../../../estate/export/from-account.ts";
import { slug } from "../../../estate/export/keys.ts";
import { estateYaml } from "../../../estate/export/yaml.ts";
import { packageRoot } from "../../../runtime/package-info.ts";
import { BackendApi, backendCredentials } from "../backend-api.ts";
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { withConnection, connectionHelp, connectionOptions } from "../connect.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import { planEstate } from "../planning.ts";
import { Progress } from "../progress.ts";

export const exportCommand: Command = {
  name: "export",
  summary: "write estate files for an account built by hand, and adopt its objects so the next plan shows no changes",
  help: `Usage: pbx-estate export [--out <dir>] [--name <estate name>] [--parallel N]
${connectionHelp}

Reads the account's users, devices and licences, writes <dir>/estate.yaml (default dir: estate; it must not
hold estate files yet), then applies it adopting every object that exists: nothing is re-created and no
licence is ordered. Keys come from display names and are the objects' identities from now on. A device's
SIP password cannot be read back: it stays unknown in the state until the device's \`rotation\` is changed.
Devices linked to no user are not exported (an estate declares devices under their users); they are listed.
Exit codes: 0 exported and adopted, 1 failure.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...connectionOptions,
      out: { type: "string" },
      name: { type: "string" },
      parallel: { type: "string" },
    });
    if (positionals.length > 0) throw new UsageError("export takes no estate paths: it writes them (see --out)");
    const out = resolve(io.cwd, values.out ?? "estate");
    if (existsSync(out) && readdirSync(out).some((f) => /\.ya?ml$/.test(f))) {
      throw new CliError(`${out} already holds estate files; export into an empty folder`);
    }
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && !(Number.isInteger(parallel) && parallel > 0))
      throw new UsageError("--parallel takes a whole number");
    const endpoint = values.endpoint ?? io.env.PBX_ENDPOINT;
    const token = io.env.PBX_TOKEN;
    if (!endpoint || !token)
      throw new CliError(
        "set PBX_ENDPOINT (or --endpoint) and PBX_TOKEN: the provisioning backend's URL and an API token of its account",
      );

    // Node 22 runs this file without a transform, so no `await using` here.
    const api = new BackendApi(backendCredentials(endpoint, token, io.env));
    let account, catalogue, live;
    try {
      account = await api.whoami();
      catalogue = await api.catalogue();
      live = await api.liveObjects();
    } finally {
      await api[Symbol.asyncDispose]();
    }
    const name = values.name ?? slug(account.name);
    const exported = estateFromAccount(name, { ...live, termsVersion: catalogue.termsVersion });
    for (const reason of exported.skipped) io.err(`not exported: ${reason}`);

    mkdirSync(out, { recursive: true });
    const file = join(out, "estate.yaml");
    writeFileSync(
      file,
      estateYaml(exported.document, relative(out, join(packageRoot, "schemas", "estate.schema.json"))),
    );
    io.err(`wrote ${file}: ${live.users.length} users, ${Object.keys(exported.adoption.devices).length} devices`);

    return withConnection([out], values, io, { mustExist: false, adopt: exported.adoption }, async (connection) => {
      const planned = await planEstate(connection, { engine: true });
      const { users, devices } = planned.plan.counts;
      io.err(
        `adopting ${users.create} users and ${devices.create} devices with their licences (nothing is made or ordered) …`,
      );
      const progress = new Progress(io, planned.changedResources);
      try {
        await (
          await connection.engine()
        ).up({
          ...(parallel ? { parallel } : {}),
          onEvent: progress.onEvent,
          plannedRemovals: planned.plannedRemovals,
        });
      } finally {
        progress.finish();
      }
      io.out(`exported account ${account.name} as estate ${name} in ${out} and adopted its objects.`);
      io.out("Devices' SIP passwords stay unknown in the state until rotated: set a device's `rotation` to rotate it.");
      io.out(`Next: pbx-estate plan ${relative(io.cwd, out) || "."} (shows no changes)`);
      return EXIT.ok;
    });
  },
};
