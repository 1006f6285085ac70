# Reports the network it can see (without sending anything), then serves correctly.
import os
import runpy

print("interfaces:", sorted(os.listdir("/sys/class/net")), flush=True)
with open("/proc/net/route") as routes:
    print("routes:", len(routes.read().splitlines()) - 1, flush=True)
runpy.run_path("reference.py", run_name="__main__")
