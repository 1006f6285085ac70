#!/bin/sh
# Finishes a fresh debootstrap root filesystem before `docker import`.
# Runs as root on the build host; $1 is the root filesystem directory.
set -eu
root=${1:?usage: customize.sh ROOTFS}
[ "$root" != / ] && [ -x "$root/bin/sh" ] || { echo "customize.sh: $root is not a rootfs" >&2; exit 1; }

# The one identity every sandbox process runs as (containers also pin --user 10001:10001).
chroot "$root" groupadd --gid 10001 sandbox
chroot "$root" useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
    --shell /usr/sbin/nologin sandbox

# Mount points. A job's empty /data volume copies the owner and mode of the image's /data,
# which is how the volume becomes writable by uid 10001 without a chown step per job.
install -d -m 0755 "$root/app" "$root/suite"
install -d -m 0700 -o 10001 -g 10001 "$root/data"

# Nothing in a sandbox reads docs, manuals, translations, package caches or logs;
# Docker provides /dev, /proc, /sys and /run itself.
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
    "$root"/var/log/* "$root"/dev/* "$root"/proc/* "$root"/sys/* "$root"/run/* "$root"/tmp/*
