// Lint rules: typescript-eslint's type-aware recommended set; `any` needs a comment saying why.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const apiClientEntryOnly = {
  regex: "(^|/)api-client/(?!index\\.ts$)",
  message: "Import the API client from api-client/index.ts.",
};
const providerContractOnly = {
  regex: "(^|/)provider/(?!contract\\.ts$)",
  message: "The CLI uses the provider through provider/contract.ts only: export what it needs from there.",
};

export default tseslint.config(
  // test/package/consumer is a user's project, compiled by the package test against the installed package.
  { ignores: ["node_modules/", "bench/results/", "dist/", "**/*.d.ts", "test/package/consumer/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Pulumi hooks and Automation API programs are async by contract even when a body has no await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // The backend's API client is used through its entry only, so what it offers is in one place.
    ignores: ["api-client/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [apiClientEntryOnly] }] },
  },
  {
    // The CLI and the demo reach the provider through its contract only (rule options do not merge, so the
    // API client's pattern is repeated).
    files: ["cli/**", "demo/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [apiClientEntryOnly, providerContractOnly] }] },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
