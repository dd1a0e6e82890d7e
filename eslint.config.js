// ESLint flat config shared by the whole workspace (DESIGN §6.1): no default exports, and a
// package is imported only through its public door (`@hvsim/<name>`), never by a deep path.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/coverage/**", "**/node_modules/**", "**/.turbo/**", "**/.hvsim/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ExportDefaultDeclaration",
          message: "Use named exports (DESIGN §6.1: no default exports).",
        },
        {
          selector: "ExportSpecifier[exported.name='default']",
          message: "Use named exports (DESIGN §6.1: no default exports).",
        },
      ],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@hvsim/*/*"],
              message: "Import a package only through its public index (`@hvsim/<name>`).",
            },
            {
              group: ["../../packages/*", "../../../packages/*", "**/packages/*/src/*"],
              message: "Import another package by its name, not by a relative path.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // Node scripts (build helpers, the test runner wrapper).
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" },
    },
  },
  {
    // Tool configuration files are loaded by their tools through a default export.
    files: ["**/tsup.config.ts", "**/vitest.config.ts", "eslint.config.js", "*.shared.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
);
