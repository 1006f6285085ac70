// Terminal client: `/register name password`, `/login name password`, then type to chat.
import readline from "node:readline";
import WebSocket from "ws";

const url = process.argv[2] ?? "ws://localhost:4000";
const socket = new WebSocket(url);
const input = readline.createInterface({ input: process.stdin, output: process.stdout });

socket.on("message", (data) => {
  const frame = JSON.parse(data.toString());
  if (frame.type === "chat") console.log(`${frame.from}: ${frame.body}`);
  else if (frame.type === "error") console.log(`! ${frame.reason}`);
  else if (frame.type === "welcome") console.log(`signed in as ${frame.username}`);
  else if (frame.type === "auth_required") console.log("sign in with /register or /login");
});

socket.on("open", () => {
  input.on("line", (line) => {
    const [command, username, password] = line.trim().split(/\s+/);
    if (command === "/register") {
      socket.send(JSON.stringify({ type: "register", username, password }));
    } else if (command === "/login") {
      socket.send(JSON.stringify({ type: "login", username, password }));
    } else {
      socket.send(JSON.stringify({ type: "chat", body: line }));
    }
  });
});
socket.on("close", () => process.exit(0));
