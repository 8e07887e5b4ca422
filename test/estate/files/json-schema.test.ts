/** schemas/estate.schema.json is generated from the zod schemas; a stale committed copy fails here. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ESTATE_JSON_SCHEMA_PATH, generateEstateJsonSchema } from "../../../schemas/cli/estate-json-schema.ts";

describe("the estate JSON Schema", () => {
  it("is committed as generated: run npm run schemas after changing the estate schemas", () => {
    expect(readFileSync(ESTATE_JSON_SCHEMA_PATH, "utf8")).toBe(generateEstateJsonSchema());
  });

  it("offers both document kinds, strict, with the shared field rules", () => {
    const schema = JSON.parse(generateEstateJsonSchema()) as {
      oneOf: { $ref: string }[];
      definitions: Record<
        string,
        { additionalProperties?: boolean; properties: Record<string, { pattern?: string; description?: string }> }
      >;
    };
    expect(schema.oneOf.map((s) => s.$ref)).toEqual([
      "#/definitions/EstateDocument",
      "#/definitions/UserGroupDocument",
    ]);
    const user = schema.definitions.EstateUser;
    expect(user?.additionalProperties).toBe(false);
    expect(user?.properties.extension?.pattern).toBe("^[0-9]{2,5}$");
    expect(user?.properties.key?.description).toMatch(/unique across the estate/);
  });
});
