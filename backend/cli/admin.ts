/**
 * `pbx-estate-backend create-account` and `add-token`: accounts and API tokens, written straight to the store.
 * Each prints the new token once; only its SHA-256 digest is stored. Stop an embedded `serve` first (one
 * process per data folder).
 */
import { AccountCreate } from "../../schemas/account.ts";
import { openStore } from "../store/index.ts";
import { addToken, insertAccount } from "../accounts/store.ts";
import { parseCommandArgs, storeFrom, UsageError, type BackendCommand } from "./options.ts";
import { zodFields } from "../errors.ts";

const databaseHelp = `  --database DIR|URL       embedded data folder or a postgres:// URL (default .pbx-estate/data); stop an
                           embedded serve first: one process per data folder`;

export const createAccountCommand: BackendCommand = {
  name: "create-account",
  summary: "create an account and print its first API token (shown once)",
  help: `Usage: pbx-estate-backend create-account --name NAME --time-zone ZONE [--numbers +E164,…] [--database …]

Creates an account and prints {"accountId","token"} on stdout; the token is shown only now.

Options:
  --name NAME              the account's name (required)
  --time-zone ZONE         an IANA time zone, e.g. Europe/London: month-end cancellations follow it (required)
  --numbers LIST           the account's phone numbers, comma-separated E.164 (outbound caller IDs)
${databaseHelp}
  -h, --help               show this help`,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      name: { type: "string" },
      "time-zone": { type: "string" },
      numbers: { type: "string" },
      database: { type: "string" },
    });
    const given = {
      name: values.name,
      timeZone: values["time-zone"],
      numbers:
        values.numbers === undefined
          ? []
          : values.numbers
              .split(",")
              .map((n) => n.trim())
              .filter((n) => n !== ""),
    };
    const input = AccountCreate.safeParse(given);
    if (!input.success)
      throw new UsageError(
        zodFields(input.error.issues, { value: given })
          .map((f) => `${f.path}: ${f.message}`)
          .join("\n"),
      );
    const store = await openStore(storeFrom(values.database));
    try {
      const r = await insertAccount(store.db, input.data, new Date());
      process.stdout.write(`${JSON.stringify({ accountId: r.account.id, token: r.token })}\n`);
      process.stderr.write("the token is shown only now; keep it\n");
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const addTokenCommand: BackendCommand = {
  name: "add-token",
  summary: "add an API token to an account (shown once)",
  help: `Usage: pbx-estate-backend add-token --account ID [--database …]

Adds a token to the account and prints {"accountId","token"} on stdout; the token is shown only now.

Options:
  --account ID             the account (acc_…; required)
${databaseHelp}
  -h, --help               show this help`,
  async run(argv) {
    const { values } = parseCommandArgs(argv, { account: { type: "string" }, database: { type: "string" } });
    if (values.account === undefined) throw new UsageError("--account is required");
    const store = await openStore(storeFrom(values.database));
    try {
      const r = await addToken(store.db, values.account, new Date());
      process.stdout.write(`${JSON.stringify({ accountId: values.account, token: r.token })}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
