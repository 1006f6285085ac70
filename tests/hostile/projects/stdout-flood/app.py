# Serves correctly while flooding stdout and stderr.
import runpy
import sys
import threading


def flood(stream):
    line = "x" * 200 + "\n"
    while True:
        stream.write(line)


threading.Thread(target=flood, args=(sys.stdout,), daemon=True).start()
threading.Thread(target=flood, args=(sys.stderr,), daemon=True).start()
runpy.run_path("reference.py", run_name="__main__")
