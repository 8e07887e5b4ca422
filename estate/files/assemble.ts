// Validated documents from every file → one resolved estate: exactly one Estate document, identities unique
// across files, defaults layered, and the fields a user must end up with present.
import type { EstateFileRule } from "../../schemas/problem.ts";
import type { EstateUser, ResolvedEstate, ResolvedUser, SourceLocation } from "../../schemas/estate.ts";
import type { EstateFileError } from "./errors.ts";
import { formatLocation } from "./errors.ts";
import { BUILT_IN_DEFAULTS, layerDefaults } from "./layering.ts";
import type { LayeredDefaults } from "./layering.ts";
import { formatPath, locate } from "./source-map.ts";
import type { FieldPath, SourceMap } from "./source-map.ts";
import type { ValidatedDocument } from "./validate.ts";

export type AssembleResult = { ok: true; estate: ResolvedEstate } | { ok: false; errors: EstateFileError[] };

const REQUIRED_AFTER_LAYERING = ["callPlan", "areaPrefix", "outboundCallerId"] as const;

export function assembleEstate(documents: readonly ValidatedDocument[]): AssembleResult {
  const errors: EstateFileError[] = [];
  const estates = documents.filter((d) => d.kind === "Estate");
  const first = estates[0];
  if (first === undefined)
    errors.push({
      path: "",
      rule: "no-estate",
      message: "no document has kind Estate: exactly one file of an estate must declare it",
    });
  for (const extra of estates.slice(1))
    errors.push(
      duplicate(
        extra.parsed.source,
        ["kind"],
        first?.parsed.source,
        ["kind"],
        "duplicate-estate",
        "a second Estate document",
      ),
    );

  const groupNames = new Unique(errors, "duplicate-group", "group name");
  const userKeys = new Unique(errors, "duplicate-key", "user key");
  const deviceKeys = new Unique(errors, "duplicate-key", "device key");
  const extensions = new Unique(errors, "duplicate-extension", "extension");

  const estate = first?.kind === "Estate" ? first.document : null;
  const users: ResolvedUser[] = [];
  for (const d of documents) {
    if (d.document === null) continue;
    const source = d.parsed.source;
    if (d.kind === "UserGroup") groupNames.claim(d.document.metadata.name, source, ["metadata", "name"]);
    const group = d.kind === "UserGroup" ? d.document : null;
    // Users of an Estate document other than the first are still checked for clashes, never resolved.
    const resolvable = estate !== null && (d.kind === "UserGroup" || d.document === estate);
    (d.document.spec.users ?? []).forEach((user, i) => {
      const at: FieldPath = ["spec", "users", i];
      userKeys.claim(user.key, source, [...at, "key"]);
      extensions.claim(user.extension, source, [...at, "extension"]);
      (user.devices ?? []).forEach((device, j) => deviceKeys.claim(device.key, source, [...at, "devices", j, "key"]));
      if (!resolvable) return;
      const resolved = resolveUser(
        user,
        layerDefaults(BUILT_IN_DEFAULTS, estate.spec.defaults, group?.spec.defaults, user),
        source,
        at,
        group?.metadata.name ?? null,
        errors,
      );
      if (resolved !== undefined) users.push(resolved);
    });
  }

  if (errors.length > 0 || estate === null || first === undefined) return { ok: false, errors };
  users.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    ok: true,
    estate: {
      name: estate.metadata.name,
      acceptTerms: estate.spec.acceptTerms,
      users,
      location: where(first.parsed.source, []),
    },
  };
}

function resolveUser(
  user: EstateUser,
  effective: LayeredDefaults,
  source: SourceMap,
  at: FieldPath,
  group: string | null,
  errors: EstateFileError[],
): ResolvedUser | undefined {
  const { callPlan, areaPrefix, outboundCallerId, recording, removal } = effective;
  let complete = true;
  for (const field of REQUIRED_AFTER_LAYERING) {
    if (effective[field] !== undefined) continue;
    complete = false;
    errors.push({
      ...where(source, [...at, field]),
      path: formatPath([...at, field]),
      rule: "required",
      message: `user "${user.key}" has no ${field}: set it on the user, in its group's defaults or in the Estate's defaults`,
    });
  }
  if (
    !complete ||
    callPlan === undefined ||
    areaPrefix === undefined ||
    outboundCallerId === undefined ||
    recording === undefined ||
    removal === undefined
  )
    return undefined;
  return {
    key: user.key,
    name: user.name,
    extension: user.extension,
    callPlan,
    areaPrefix,
    outboundCallerId,
    recording,
    removal,
    devices: (user.devices ?? []).map((d, j) => ({
      key: d.key,
      name: d.name,
      ...(d.rotation === undefined ? {} : { rotation: d.rotation }),
      location: where(source, [...at, "devices", j]),
    })),
    location: { ...where(source, at), group },
  };
}

/** First claim wins; each later claim of the same value is an error naming both places. */
class Unique {
  private readonly seen = new Map<string, SourceLocation>();
  private readonly errors: EstateFileError[];
  private readonly rule: EstateFileRule;
  private readonly what: string;

  constructor(errors: EstateFileError[], rule: EstateFileRule, what: string) {
    this.errors = errors;
    this.rule = rule;
    this.what = what;
  }

  claim(value: string, source: SourceMap, path: FieldPath): void {
    const here = where(source, path);
    const earlier = this.seen.get(value);
    if (earlier === undefined) this.seen.set(value, here);
    else
      this.errors.push({
        ...here,
        path: formatPath(path),
        rule: this.rule,
        message: `${this.what} "${value}" is already used at ${formatLocation(earlier)}`,
        related: earlier,
      });
  }
}

function duplicate(
  source: SourceMap,
  path: FieldPath,
  firstSource: SourceMap | undefined,
  firstPath: FieldPath,
  rule: EstateFileRule,
  what: string,
): EstateFileError {
  const earlier = firstSource === undefined ? undefined : where(firstSource, firstPath);
  return {
    ...where(source, path),
    path: formatPath(path),
    rule,
    message: `${what}: an estate has exactly one${earlier === undefined ? "" : `, already declared at ${formatLocation(earlier)}`}`,
    ...(earlier === undefined ? {} : { related: earlier }),
  };
}

function where(source: SourceMap, path: FieldPath): SourceLocation {
  return locate(source, path) ?? { file: source.file, line: 1, column: 1 };
}
