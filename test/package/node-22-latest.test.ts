// The packed package on the latest Node 22.
import { describeInstalledPackage } from "./installed-package.ts";

describeInstalledPackage("latest22");
