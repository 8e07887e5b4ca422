// The packed package on the latest Node 24.
import { describeInstalledPackage } from "./installed-package.ts";

describeInstalledPackage("latest24");
