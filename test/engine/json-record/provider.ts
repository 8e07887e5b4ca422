/**
 * The proof suite's minimal dynamic resource: a record of string fields kept in a JSON file.
 * Loaded by path inside the dynamic-provider plugin process (see ./resource.ts), so it runs under the
 * real engine exactly as a production provider would.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type * as pulumi from "@pulumi/pulumi";

export interface JsonRecordInputs {
  file: string;
  fields: Record<string, string>;
}

type Store = Record<string, Record<string, string>>;

function load(file: string): Store {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Store) : {};
}

function save(file: string, store: Store): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(store, null, 2));
  renameSync(temp, file);
}

export const hooks: pulumi.dynamic.ResourceProvider<JsonRecordInputs, JsonRecordInputs> = {
  async create(inputs) {
    const store = load(inputs.file);
    const id = randomUUID();
    store[id] = { ...inputs.fields };
    save(inputs.file, store);
    return { id, outs: { file: inputs.file, fields: { ...inputs.fields } } };
  },

  async read(id, props) {
    const file = props?.file;
    const fields = file ? load(file)[id] : undefined;
    if (!file || !fields) return {};
    return { id, props: { file, fields } };
  },

  async diff(_id, olds, news) {
    const changed = olds.file !== news.file || JSON.stringify(olds.fields) !== JSON.stringify(news.fields);
    return { changes: changed, replaces: olds.file !== news.file ? ["file"] : [] };
  },

  async update(id, _olds, news) {
    const store = load(news.file);
    store[id] = { ...news.fields };
    save(news.file, store);
    return { outs: { file: news.file, fields: { ...news.fields } } };
  },

  async delete(id, props) {
    const store = load(props.file);
    delete store[id];
    save(props.file, store);
  },
};
