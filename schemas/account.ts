// Accounts: who a token belongs to.
import { z } from "zod";
import { E164, Id, TimeZone } from "./common.ts";
import { nameText } from "./text.ts";

export const AccountCreate = z
  .object({
    name: nameText(200),
    timeZone: TimeZone,
    numbers: z.array(E164).max(1000).default([]),
  })
  .strict();
export type AccountCreate = z.infer<typeof AccountCreate>;

export const Whoami = z
  .object({ accountId: Id, name: z.string(), timeZone: z.string(), numbers: z.array(E164) })
  .meta({ id: "Whoami" });
export type Whoami = z.infer<typeof Whoami>;
