# Writes up to five 64 MiB files in each writable folder, then gives up (bounded, so a broken cap
# costs the host at most 640 MiB).
import os
import sys

block = os.urandom(1024 * 1024)
for folder in ("/tmp", "/data"):
    written = 0
    reason = "wrote everything it tried"
    try:
        for index in range(5):
            with open(os.path.join(folder, f"fill-{index}.bin"), "wb") as handle:
                for _ in range(64):
                    handle.write(block)
                    written += len(block)
    except OSError as exc:
        reason = exc.strerror
    print(f"stopped at {written // (1024 * 1024)} MiB in {folder}: {reason}", flush=True)
sys.exit(1)
