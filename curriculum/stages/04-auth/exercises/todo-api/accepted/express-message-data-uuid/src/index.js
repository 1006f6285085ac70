import crypto from "node:crypto";
import bcrypt from "bcryptjs";
import express from "express";
import { signToken, requireAuth } from "./auth.js";
import { all, get, run, setup } from "./db.js";

const app = express();
app.use(express.json());

app.post("/register", async (req, res) => {
  try {
    const { name, email, password } = req.body;
    if (!name || !email || !password) {
      return res.status(400).json({ message: "Name, email and password are required" });
    }
    if (!/^\S+@\S+\.\S+$/.test(email)) {
      return res.status(400).json({ message: "Invalid email" });
    }
    if (password.length < 6) {
      return res.status(400).json({ message: "Password must be at least 6 characters" });
    }
    const existing = await get("SELECT id FROM users WHERE email = ?", [email]);
    if (existing) {
      return res.status(400).json({ message: "User already exists" });
    }
    const id = crypto.randomUUID();
    const hashed = await bcrypt.hash(password, 10);
    await run("INSERT INTO users (id, name, email, password) VALUES (?, ?, ?, ?)", [id, name, email, hashed]);
    res.status(201).json({ token: signToken(id) });
  } catch (err) {
    console.error(err);
    res.status(500).json({ message: "Server error" });
  }
});

app.post("/login", async (req, res) => {
  try {
    const { email, password } = req.body;
    if (!email || !password) {
      return res.status(400).json({ message: "Email and password are required" });
    }
    const user = await get("SELECT * FROM users WHERE email = ?", [email]);
    if (!user || !(await bcrypt.compare(String(password), user.password))) {
      return res.status(401).json({ message: "Invalid credentials" });
    }
    res.json({ token: signToken(user.id) });
  } catch (err) {
    console.error(err);
    res.status(500).json({ message: "Server error" });
  }
});

app.post("/todos", requireAuth, async (req, res) => {
  try {
    const { title, description = "" } = req.body;
    if (!title) {
      return res.status(400).json({ message: "Title is required" });
    }
    const todo = { id: crypto.randomUUID(), title, description };
    await run("INSERT INTO todos (id, userId, title, description, createdAt) VALUES (?, ?, ?, ?, ?)", [
      todo.id,
      req.userId,
      title,
      description,
      Date.now(),
    ]);
    res.status(201).json({ data: todo });
  } catch (err) {
    console.error(err);
    res.status(500).json({ message: "Server error" });
  }
});

app.get("/todos", requireAuth, async (req, res) => {
  try {
    const page = parseInt(req.query.page) || 1;
    const limit = parseInt(req.query.limit) || 10;
    const todos = await all(
      "SELECT id, title, description FROM todos WHERE userId = ? ORDER BY createdAt DESC, rowid DESC LIMIT ? OFFSET ?",
      [req.userId, limit, (page - 1) * limit],
    );
    const { count } = await get("SELECT COUNT(*) AS count FROM todos WHERE userId = ?", [req.userId]);
    res.json({ data: todos, page, limit, total: count, totalPages: Math.ceil(count / limit) });
  } catch (err) {
    console.error(err);
    res.status(500).json({ message: "Server error" });
  }
});

async function findOwnTodo(req, res) {
  const todo = await get("SELECT * FROM todos WHERE id = ?", [req.params.id]);
  if (!todo) {
    res.status(404).json({ message: "Todo not found" });
    return null;
  }
  if (todo.userId !== req.userId) {
    res.status(403).json({ message: "Forbidden" });
    return null;
  }
  return todo;
}

app.put("/todos/:id", requireAuth, async (req, res) => {
  try {
    const todo = await findOwnTodo(req, res);
    if (!todo) return;
    const { title, description = "" } = req.body;
    if (!title) {
      return res.status(400).json({ message: "Title is required" });
    }
    await run("UPDATE todos SET title = ?, description = ? WHERE id = ?", [title, description, todo.id]);
    res.json({ data: { id: todo.id, title, description } });
  } catch (err) {
    console.error(err);
    res.status(500).json({ message: "Server error" });
  }
});

app.delete("/todos/:id", requireAuth, async (req, res) => {
  try {
    const todo = await findOwnTodo(req, res);
    if (!todo) return;
    await run("DELETE FROM todos WHERE id = ?", [todo.id]);
    res.sendStatus(204);
  } catch (err) {
    console.error(err);
    res.status(500).json({ message: "Server error" });
  }
});

await setup();
app.listen(3000, () => console.log("Server running on http://localhost:3000"));
