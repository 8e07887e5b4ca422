/**
 * Runs `load` without the ExperimentalWarning Node 22 prints when `node:sqlite` first loads ("SQLite is an
 * experimental feature…"): the registrar's store is a supported part of this package, and a user of `serve
 * --registrar` would see that line on every start. Only that one warning is dropped, only while `load` runs;
 * every other warning still prints. Node 24 no longer warns.
 */
export async function withoutSqliteWarning<T>(load: () => Promise<T>): Promise<T> {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const filtered = function (warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === "string" ? warning : warning.message;
    const options = rest[0] as string | { type?: string } | undefined;
    const type =
      typeof options === "string" ? options : (options?.type ?? (warning instanceof Error ? warning.name : undefined));
    if (type === "ExperimentalWarning" && text.startsWith("SQLite is an experimental feature")) return;
    // Passed on as given: emitWarning's overloads cannot be restated for a rest argument.
    emitWarning(warning, ...rest);
  };
  const original = Object.getOwnPropertyDescriptor(process, "emitWarning");
  process.emitWarning = filtered;
  try {
    return await load();
  } finally {
    if (original) Object.defineProperty(process, "emitWarning", original);
  }
}
