import { body } from "express-validator";

// title, content and category must be strings and not just spaces
const notBlank = (field) =>
  body(field)
    .exists()
    .withMessage(`${field} is required`)
    .bail()
    .isString()
    .withMessage(`${field} must be a string`)
    .bail()
    .custom((value) => value.trim().length > 0)
    .withMessage(`${field} can't be empty`);

export const postRules = [
  notBlank("title"),
  notBlank("content"),
  notBlank("category"),
  body("tags").exists().withMessage("tags is required").bail().isArray().withMessage("tags must be an array"),
  body("tags.*").isString().withMessage("every tag must be a string"),
];
