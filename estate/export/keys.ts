/** Estate keys for objects made by hand: readable, derived from display names, unique within the estate. */

export function slug(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/'/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return s === "" ? "x" : s;
}

/** Hands out keys from names: the first `john-smith`, then `john-smith-2`, … */
export class KeyAllocator {
  private readonly taken = new Set<string>();

  key(name: string): string {
    const base = slug(name);
    let key = base;
    for (let n = 2; this.taken.has(key); n++) key = `${base}-${n}`;
    this.taken.add(key);
    return key;
  }
}
