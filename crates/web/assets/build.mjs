// Builds Accord's front-end assets into crates/web/assets/build, where the web crate embeds them.
//
// Run through `npm run build` (or `make assets`) from the repository root. The output is
// deterministic for a given lockfile, so the content hashes in asset URLs only change when the
// assets do.
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const out = join(here, "build");
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Styles: GOV.UK Frontend's Sass with Accord's settings and Accord's own rules.
const css = sass.compile(join(src, "accord.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(here)],
  // Deprecation notices inside GOV.UK Frontend are theirs to fix, not ours.
  quietDeps: true,
});
// GDS Transport and the crown belong to GOV.UK alone: fail the build if either slips back in.
if (/GDS Transport|url\([^)]*(crest|crown)|@font-face/i.test(css.css)) {
  throw new Error("accord.css refers to GDS Transport or the crown; check the Sass settings");
}
writeFileSync(join(out, "accord.css"), css.css + "\n");

// Script: GOV.UK Frontend's ES module bundle followed by Accord's start-up code, as one file so
// that no inline script and no second request is needed.
const bundlePath = join(dirname(require.resolve("govuk-frontend")), "govuk-frontend.min.js");
const bundle = readFileSync(bundlePath, "utf8").replace(/\/\/# sourceMappingURL=\S+\s*$/, "");
const start = readFileSync(join(src, "accord.js"), "utf8");
writeFileSync(join(out, "accord.js"), `${bundle}\n${start}`);

copyFileSync(join(src, "favicon.svg"), join(out, "favicon.svg"));

for (const name of ["accord.css", "accord.js", "favicon.svg"]) {
  const size = readFileSync(join(out, name)).length;
  console.log(`built ${name} (${size} bytes)`);
}
