// A broadcast chat where people sign up before they talk.
//   npm start -- --port 4000      run the server
//   npm run chat                  talk to it (see client.js)
import { createHash, randomBytes } from "node:crypto";
import { WebSocketServer } from "ws";

const flag = process.argv.indexOf("--port");
const port = flag > 0 ? Number(process.argv[flag + 1]) : 4000;

const accounts = new Map(); // username -> { salt, hash }
const people = new Map(); // socket -> username, once signed in

const hashOf = (password, salt) => createHash("sha256").update(salt + password).digest("hex");
const reply = (socket, frame) => socket.send(JSON.stringify(frame));

function register(socket, { username, password }) {
  if (typeof username !== "string" || username.length < 3 || typeof password !== "string" || password.length < 6) {
    return reply(socket, { type: "error", reason: "a username of 3+ characters and a password of 6+" });
  }
  if (accounts.has(username)) return reply(socket, { type: "error", reason: "that username is taken" });
  const salt = randomBytes(8).toString("hex");
  accounts.set(username, { salt, hash: hashOf(password, salt) });
  people.set(socket, username);
  reply(socket, { type: "welcome", username });
}

function login(socket, { username, password }) {
  const account = accounts.get(username);
  if (!account || account.hash !== hashOf(password ?? "", account.salt)) {
    return reply(socket, { type: "error", reason: "wrong username or password" });
  }
  people.set(socket, username);
  reply(socket, { type: "welcome", username });
}

function chat(socket, { body }) {
  const from = people.get(socket);
  if (!from) return reply(socket, { type: "auth_required" });
  for (const [other] of people) {
    if (other !== socket && other.readyState === other.OPEN) reply(other, { type: "chat", from, body });
  }
  reply(socket, { type: "sent" });
}

const handlers = { register, login, chat };

const server = new WebSocketServer({ port });
server.on("connection", (socket) => {
  reply(socket, { type: "auth_required", hint: "register or login first" });
  socket.on("message", (data) => {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return reply(socket, { type: "error", reason: "frames are JSON" });
    }
    const handle = handlers[frame?.type];
    if (!handle) return reply(socket, { type: "error", reason: `unknown type ${frame?.type}` });
    handle(socket, frame);
  });
  socket.on("close", () => people.delete(socket));
});
console.log(`chat server listening on port ${port}`);
