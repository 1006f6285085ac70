import time

print("starting... (not really)", flush=True)
time.sleep(10**6)
