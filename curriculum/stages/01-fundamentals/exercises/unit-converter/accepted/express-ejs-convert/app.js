import express from "express";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { CATEGORIES, convert } from "./units.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = express();
app.set("view engine", "ejs");
app.set("views", path.join(here, "views"));
app.use(express.urlencoded({ extended: false }));

app.get("/", (req, res) => res.redirect("/length"));

app.get("/:category", (req, res, next) => {
  const category = CATEGORIES[req.params.category];
  if (!category) return next();
  res.render("converter", { category, name: req.params.category, input: {}, error: null });
});

app.post("/convert", (req, res) => {
  const name = req.body.category;
  const category = CATEGORIES[name];
  if (!category) {
    return res.status(422).render("converter", {
      category: CATEGORIES.length,
      name: "length",
      input: req.body,
      error: "Please choose what to convert: length, weight or temperature.",
    });
  }
  const { value, from_unit: from, to_unit: to } = req.body;
  const amount = Number(value);
  let error = null;
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(amount)) {
    error = `Please enter a number, not "${value ?? ""}".`;
  } else if (!Object.hasOwn(category.units, from) || !Object.hasOwn(category.units, to)) {
    error = `Unknown ${name} unit: ${Object.hasOwn(category.units, from) ? to : from}.`;
  }
  if (error) {
    return res.status(422).render("converter", { category, name, input: req.body, error });
  }
  const result = convert(name, amount, from, to);
  res.render("result", {
    category,
    name,
    value: amount,
    from: category.units[from].label,
    to: category.units[to].label,
    result: Number(result.toFixed(6)),
  });
});

app.use((req, res) => res.status(404).render("not-found"));

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`Unit converter on http://localhost:${port}`));
