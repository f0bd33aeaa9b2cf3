// Builds static/dist: our Sass compiled against GOV.UK Frontend (arial, not GDS Transport),
// plus GOV.UK Frontend's JavaScript and assets (images; its fonts are not used).
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";

const out = "static/dist";
mkdirSync(out, { recursive: true });
const css = compile("static/src/main.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/main.css`, css.css);
// The print stylesheet of pages with figures (dashboards), linked with media="print" where it is used.
writeFileSync(`${out}/print.css`, compile("static/src/print.scss", { style: "compressed" }).css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/assets/images`, { recursive: true });
cpSync("node_modules/govuk-frontend/dist/govuk/assets/manifest.json", `${out}/assets/manifest.json`);
cpSync("static/src/app.mjs", `${out}/app.mjs`);
console.log("built static/dist");
