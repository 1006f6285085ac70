# Opens files until the nofile limit stops it, then serves correctly.
import runpy

handles = []
try:
    while True:
        handles.append(open("/dev/null"))
except OSError as exc:
    print(f"opened {len(handles)} files before: {exc.strerror}", flush=True)
for handle in handles:
    handle.close()
runpy.run_path("reference.py", run_name="__main__")
