// Lint rules: typescript-eslint's type-aware recommended set; `any` needs a comment saying why.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
