// Spawns children without end (small ones, so the pids limit is what stops it, not memory).
const { spawn } = require("node:child_process");
for (;;) {
  try {
    const child = spawn("sleep", ["1000"], { stdio: "ignore" });
    child.on("error", () => {});
  } catch (error) {
    // EAGAIN once the pids limit is reached: keep trying.
  }
}
