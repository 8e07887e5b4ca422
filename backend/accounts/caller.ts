// The authenticated caller of a request: the token's principal (account and token) and the request's id.
import type { Principal } from "./store.ts";

export interface Caller extends Principal {
  requestId: string;
}
