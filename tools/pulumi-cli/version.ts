// Generated from go.mod by `npm run build` (tools/pulumi-cli/go-mod.ts); do not edit.
/** The Pulumi CLI version the repository builds and tests with: the lowest version a run accepts. */
export const PULUMI_VERSION = "v3.274.1";
