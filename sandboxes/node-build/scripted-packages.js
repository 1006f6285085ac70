// Prints the names of the packages under a node_modules folder that have something to run at
// install time (a preinstall, install or postinstall script, or a binding.gyp, for which npm
// runs `node-gyp rebuild`), one a line, sorted, each once. rebuild.sh passes them to
// `npm rebuild` so that only dependencies build: the learner's own package.json scripts
// (a "postinstall": "tsc", say) need the project's sources, which the build never sees.
"use strict";
const fs = require("fs");
const path = require("path");

const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];

function* packageDirs(nodeModules) {
  let entries;
  try {
    entries = fs.readdirSync(nodeModules, { withFileTypes: true });
  } catch (err) {
    if (err.code === "ENOENT") return;
    throw err;
  }
  for (const entry of entries) {
    // Only real folders: .bin holds links, and a linked package is built where it lives.
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = path.join(nodeModules, entry.name);
    if (entry.name.startsWith("@")) {
      yield* packageDirs(dir);
    } else {
      yield dir;
      yield* packageDirs(path.join(dir, "node_modules"));
    }
  }
}

function hasInstallWork(dir, manifest) {
  const scripts = manifest.scripts || {};
  if (INSTALL_SCRIPTS.some((name) => typeof scripts[name] === "string")) return true;
  return manifest.gypfile !== false && fs.existsSync(path.join(dir, "binding.gyp"));
}

const names = new Set();
for (const dir of packageDirs(process.argv[2] || "node_modules")) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    continue; // not a package (npm skips it too)
  }
  if (typeof manifest.name === "string" && hasInstallWork(dir, manifest)) names.add(manifest.name);
}
for (const name of [...names].sort()) console.log(name);
