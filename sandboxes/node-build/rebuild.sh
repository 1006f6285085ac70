#!/bin/sh
# Builds the native addons of the npm packages in /build/node_modules: runs the preinstall,
# install and postinstall scripts that `npm install --ignore-scripts` skipped on the host, for
# the dependencies only (never the learner's own package.json scripts), offline, in the
# node-build sandbox. Prints npm's and the compilers' output; the exit status is npm's,
# non-zero when any package's script failed.
set -eu
cd /build
if [ ! -d node_modules ]; then
    echo "stagecraft-node-rebuild: nothing to build, /build/node_modules is missing" >&2
    exit 2
fi
packages=$(node /usr/local/lib/node-build/scripted-packages.js /build/node_modules)
if [ -z "$packages" ]; then
    echo "stagecraft-node-rebuild: no package has an install script or a native addon; nothing to build"
    exit 0
fi
echo "stagecraft-node-rebuild: building" $packages
# The root filesystem is read-only: npm's cache, logs and node-gyp's devdir go to the tmpfs.
export HOME=/tmp npm_config_cache=/tmp/.npm
export npm_config_offline=true npm_config_audit=false npm_config_fund=false \
    npm_config_update_notifier=false
# There is no network, so a prebuilt binary to download fails at once (the name does not
# resolve) and the packages' own fallback builds from source: `prebuild-install || node-gyp
# rebuild`, `node-pre-gyp install --fallback-to-build`. npm_config_build_from_source is left
# unset on purpose: it would also refuse the binaries that come as registry packages and work
# (sharp's @img/sharp-linux-x64 then fails to build without libvips), or inside the package
# (node-gyp-build's prebuilds/), which need no compiler and are what the learner has at home.
# The system Node's headers (libnode-dev), laid out as Debian's node-gyp uses them by default.
# Named explicitly because a package may bring its own node-gyp (sqlite3 5 does, and its
# node_modules/.bin comes first on the scripts' PATH): an upstream node-gyp without a nodedir
# downloads the headers from nodejs.org.
export npm_config_nodedir=/usr/include/nodejs
# node-gyp runs make with this many jobs (the container's CPU quota caps what they get).
export JOBS="${JOBS:-2}"
# First the links in node_modules/.bin of every package, which the host may not have made
# (--no-bin-links) and install scripts call (node-pre-gyp, node-gyp-build, cross-env, ...):
# `npm rebuild NAME` links only the bins of NAME itself.
npm rebuild --ignore-scripts --bin-links >/dev/null
# Package names: word splitting is wanted (npm names hold no blanks).
# shellcheck disable=SC2086
exec npm rebuild --foreground-scripts $packages
