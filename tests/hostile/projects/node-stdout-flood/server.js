// Serves nothing useful and floods stdout.
const line = "x".repeat(200) + "\n";
function flood() {
  while (process.stdout.write(line)) {}
  process.stdout.once("drain", flood);
}
flood();
require("node:http").createServer((req, res) => res.end("hi")).listen(Number(process.env.PORT), "0.0.0.0");
