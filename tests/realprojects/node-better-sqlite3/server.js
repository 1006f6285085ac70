const express = require('express');
const db = require('./db');

const app = express();
const PORT = process.env.PORT || 3000;

app.use(express.json());

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function makeCode() {
  let code = '';
  for (let i = 0; i < 6; i++) {
    code += CHARS[Math.floor(Math.random() * CHARS.length)];
  }
  return code;
}

function isValidUrl(url) {
  if (typeof url !== 'string') return false;
  if (url.length === 0 || url.length > 2048) return false;
  if (/\s/.test(url)) return false;
  if (!url.startsWith('http://') && !url.startsWith('https://')) return false;
  try {
    const u = new URL(url);
    return u.hostname.length > 0;
  } catch (e) {
    return false;
  }
}

function toRecord(row) {
  return {
    id: row.id,
    url: row.url,
    shortCode: row.short_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const findByCode = db.prepare('SELECT * FROM urls WHERE short_code = ?');

app.post('/shorten', (req, res) => {
  const url = req.body ? req.body.url : undefined;
  if (!isValidUrl(url)) {
    return res.status(400).json({ error: 'a valid url is required' });
  }
  const now = new Date().toISOString();
  const insert = db.prepare(
    'INSERT INTO urls (url, short_code, created_at, updated_at) VALUES (?, ?, ?, ?)'
  );
  // try again if the code already exists
  for (let tries = 0; tries < 10; tries++) {
    const code = makeCode();
    try {
      const info = insert.run(url, code, now, now);
      const row = db.prepare('SELECT * FROM urls WHERE id = ?').get(info.lastInsertRowid);
      return res.status(201).json(toRecord(row));
    } catch (err) {
      if (err.code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
    }
  }
  res.status(500).json({ error: 'could not make a short code' });
});

app.get('/shorten/:code/stats', (req, res) => {
  const row = findByCode.get(req.params.code);
  if (!row) {
    return res.status(404).json({ error: 'short URL not found' });
  }
  res.json({ ...toRecord(row), accessCount: row.access_count });
});

app.get('/shorten/:code', (req, res) => {
  const row = findByCode.get(req.params.code);
  if (!row) {
    return res.status(404).json({ error: 'short URL not found' });
  }
  db.prepare('UPDATE urls SET access_count = access_count + 1 WHERE id = ?').run(row.id);
  res.json(toRecord(row));
});

app.put('/shorten/:code', (req, res) => {
  const row = findByCode.get(req.params.code);
  if (!row) {
    return res.status(404).json({ error: 'short URL not found' });
  }
  const url = req.body ? req.body.url : undefined;
  if (!isValidUrl(url)) {
    return res.status(400).json({ error: 'a valid url is required' });
  }
  const now = new Date().toISOString();
  db.prepare('UPDATE urls SET url = ?, updated_at = ? WHERE id = ?').run(url, now, row.id);
  res.json(toRecord(findByCode.get(req.params.code)));
});

app.delete('/shorten/:code', (req, res) => {
  const result = db.prepare('DELETE FROM urls WHERE short_code = ?').run(req.params.code);
  if (result.changes === 0) {
    return res.status(404).json({ error: 'short URL not found' });
  }
  res.status(204).end();
});

app.use((req, res) => {
  res.status(404).json({ error: 'not found' });
});

// invalid json bodies
app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') {
    return res.status(400).json({ error: 'invalid JSON body' });
  }
  console.error(err);
  res.status(500).json({ error: 'internal server error' });
});

app.listen(PORT, () => {
  console.log(`Server listening on port ${PORT}`);
});
