/**
 * A generated estate as the documents of its files: one `Estate` document in estate.yaml and one file per
 * `UserGroup`. Cases edit these documents and write them out as a user's editor would; the loader resolves them.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { layerDefaults, BUILT_IN_DEFAULTS, type LayeredDefaults } from "../../../estate/files/layering.ts";
import { EstateDocument, UserGroupDocument, type EstateDevice, type EstateUser } from "../../../schemas/estate.ts";

export interface EstateFiles {
  estate: EstateDocument;
  groups: UserGroupDocument[];
}

/** A user with the document that declares it. */
export interface DeclaredUser {
  user: EstateUser;
  document: EstateDocument | UserGroupDocument;
}

export function usersIn(document: EstateDocument | UserGroupDocument): EstateUser[] {
  if (document.kind === "UserGroup") return document.spec.users;
  document.spec.users ??= [];
  return document.spec.users;
}

export function declaredUsers(files: EstateFiles): DeclaredUser[] {
  return [files.estate, ...files.groups].flatMap((document) => usersIn(document).map((user) => ({ user, document })));
}

export function devicesOf(user: EstateUser): EstateDevice[] {
  user.devices ??= [];
  return user.devices;
}

/** The values a user ends up with once the defaults are layered, as the loader resolves them. */
export function effectiveValues(files: EstateFiles, declared: DeclaredUser): LayeredDefaults {
  const group = declared.document.kind === "UserGroup" ? declared.document.spec.defaults : undefined;
  return layerDefaults(BUILT_IN_DEFAULTS, files.estate.spec.defaults, group, declared.user);
}

const ESTATE_FILE = "estate.yaml";
const groupFile = (name: string) => `group-${name}.yaml`;

/** Writes the estate into `dir`, replacing every estate file there (a group with no users is dropped). */
export function writeEstateFiles(dir: string, files: EstateFiles): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (/\.ya?ml$/.test(name)) rmSync(join(dir, name));
  files.groups = files.groups.filter((g) => g.spec.users.length > 0);
  // Parsed before writing: a generated document the schema refuses is a generator bug, not a case.
  writeFileSync(join(dir, ESTATE_FILE), dump(EstateDocument.parse(files.estate), { lineWidth: 120, noRefs: true }));
  for (const group of files.groups)
    writeFileSync(join(dir, groupFile(group.metadata.name)), dump(UserGroupDocument.parse(group), { noRefs: true }));
}

/** The estate `export` wrote (one Estate document), as documents to edit. */
export function readExportedEstate(file: string): EstateFiles {
  return { estate: EstateDocument.parse(load(readFileSync(file, "utf8"))), groups: [] };
}
