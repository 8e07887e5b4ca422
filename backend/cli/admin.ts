// `npm run pbx-admin -- create-account --name NAME --time-zone ZONE [--numbers +44…,+44…] [--database DIR|postgres://…]`
// `npm run pbx-admin -- add-token --account ACCOUNT_ID [--database …]`
// Prints the new token once; only its SHA-256 digest is stored. Stop an embedded `serve` first (one process per data dir).
import { parseArgs } from "node:util";
import { AccountCreate } from "../../schemas/account.ts";
import { openStore } from "../store/index.ts";
import { addToken, insertAccount } from "../accounts/store.ts";
import { storeFrom } from "./options.ts";
import { zodFields } from "../errors.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string" },
    "time-zone": { type: "string" },
    numbers: { type: "string" },
    account: { type: "string" },
    database: { type: "string" },
  },
});

async function main(): Promise<number> {
  const command = positionals[0];
  if (command !== "create-account" && command !== "add-token") {
    process.stderr.write("usage: pbx-admin create-account --name NAME --time-zone ZONE [--numbers +E164,…] | add-token --account ID  [--database DIR|postgres://…]\n");
    return 2;
  }
  const store = await openStore(storeFrom(values.database));
  try {
    if (command === "create-account") {
      const input = AccountCreate.safeParse({
        name: values.name,
        timeZone: values["time-zone"],
        numbers: values.numbers === undefined ? [] : values.numbers.split(",").map((n) => n.trim()).filter((n) => n !== ""),
      });
      if (!input.success) {
        for (const f of zodFields(input.error.issues)) process.stderr.write(`${f.path}: ${f.message}\n`);
        return 2;
      }
      const r = await insertAccount(store.db, input.data, new Date());
      process.stdout.write(`${JSON.stringify({ accountId: r.account.id, token: r.token })}\n`);
      process.stderr.write("the token is shown only now; keep it\n");
    } else {
      if (values.account === undefined) throw new Error("--account is required");
      const r = await addToken(store.db, values.account, new Date());
      process.stdout.write(`${JSON.stringify({ accountId: values.account, token: r.token })}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main().catch((e: unknown) => {
  process.stderr.write(`pbx-admin: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});
