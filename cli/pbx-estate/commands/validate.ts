/** `pbx-estate validate <paths…>`: checks the estate files offline. */
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { EXIT } from "../errors.ts";
import { estateFrom } from "../estate-input.ts";

export const validateCommand: Command = {
  name: "validate",
  summary: "check estate files offline (exit 0 valid, 1 with every problem as file:line:column)",
  help: `Usage: pbx-estate validate <files or folders…>

Checks the estate files without contacting anything: schema, references across files, duplicate keys and
extensions. Prints every problem as file:line:column: field: message (rule: …) and exits 1, or exits 0.`,
  async run(argv, io) {
    const { positionals } = parseCommandArgs(argv, {});
    const estate = await estateFrom(positionals);
    const devices = estate.users.reduce((n, u) => n + u.devices.length, 0);
    io.out(`valid: estate ${estate.name} with ${estate.users.length} users and ${devices} devices`);
    return EXIT.ok;
  },
};
