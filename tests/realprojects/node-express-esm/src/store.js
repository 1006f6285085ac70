import fs from "fs";

// posts are saved in posts.json so I can look at them
const FILE = "./posts.json";

let data = { nextId: 1, posts: [] };

if (fs.existsSync(FILE)) {
  data = JSON.parse(fs.readFileSync(FILE, "utf8"));
}

function save() {
  fs.writeFileSync(FILE, JSON.stringify(data, null, 2));
}

export function getAll() {
  return data.posts;
}

export function getById(id) {
  return data.posts.find((p) => p.id === id);
}

export function create(fields) {
  const now = new Date().toISOString();
  const post = {
    id: data.nextId,
    title: fields.title,
    content: fields.content,
    category: fields.category,
    tags: fields.tags,
    createdAt: now,
    updatedAt: now,
  };
  data.nextId++;
  data.posts.push(post);
  save();
  return post;
}

export function update(id, fields) {
  const post = getById(id);
  post.title = fields.title;
  post.content = fields.content;
  post.category = fields.category;
  post.tags = fields.tags;
  post.updatedAt = new Date().toISOString();
  save();
  return post;
}

export function remove(id) {
  data.posts = data.posts.filter((p) => p.id !== id);
  save();
}
