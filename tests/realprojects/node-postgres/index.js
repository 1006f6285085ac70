const express = require('express');
const { pool, createTable } = require('./db');

const app = express();
app.use(express.json());

const PORT = process.env.PORT || 3000;
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomCode() {
  let result = '';
  for (let i = 0; i < 6; i++) {
    result += letters.charAt(Math.floor(Math.random() * letters.length));
  }
  return result;
}

function validUrl(url) {
  if (typeof url !== 'string' || url.length > 2048) return false;
  if (/\s/.test(url)) return false;
  if (!/^https?:\/\//.test(url)) return false;
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

function format(row) {
  return {
    id: row.id,
    url: row.url,
    shortCode: row.short_code,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

app.post('/shorten', async (req, res, next) => {
  try {
    const { url } = req.body || {};
    if (!validUrl(url)) {
      return res.status(400).json({ error: 'Invalid or missing url' });
    }
    while (true) {
      try {
        const result = await pool.query(
          'INSERT INTO short_urls (url, short_code) VALUES ($1, $2) RETURNING *',
          [url, randomCode()]
        );
        return res.status(201).json(format(result.rows[0]));
      } catch (err) {
        if (err.code !== '23505') throw err; // 23505 = unique violation, try another code
      }
    }
  } catch (err) {
    next(err);
  }
});

app.get('/shorten/:shortCode', async (req, res, next) => {
  try {
    const result = await pool.query(
      'UPDATE short_urls SET access_count = access_count + 1 WHERE short_code = $1 RETURNING *',
      [req.params.shortCode]
    );
    if (result.rows.length === 0) {
      return res.status(404).json({ error: 'Short URL not found' });
    }
    res.json(format(result.rows[0]));
  } catch (err) {
    next(err);
  }
});

app.get('/shorten/:shortCode/stats', async (req, res, next) => {
  try {
    const result = await pool.query('SELECT * FROM short_urls WHERE short_code = $1', [req.params.shortCode]);
    if (result.rows.length === 0) {
      return res.status(404).json({ error: 'Short URL not found' });
    }
    const row = result.rows[0];
    res.json({ ...format(row), accessCount: row.access_count });
  } catch (err) {
    next(err);
  }
});

app.put('/shorten/:shortCode', async (req, res, next) => {
  try {
    const existing = await pool.query('SELECT id FROM short_urls WHERE short_code = $1', [req.params.shortCode]);
    if (existing.rows.length === 0) {
      return res.status(404).json({ error: 'Short URL not found' });
    }
    const { url } = req.body || {};
    if (!validUrl(url)) {
      return res.status(400).json({ error: 'Invalid or missing url' });
    }
    const result = await pool.query(
      'UPDATE short_urls SET url = $1, updated_at = NOW() WHERE short_code = $2 RETURNING *',
      [url, req.params.shortCode]
    );
    res.json(format(result.rows[0]));
  } catch (err) {
    next(err);
  }
});

app.delete('/shorten/:shortCode', async (req, res, next) => {
  try {
    const result = await pool.query('DELETE FROM short_urls WHERE short_code = $1', [req.params.shortCode]);
    if (result.rowCount === 0) {
      return res.status(404).json({ error: 'Short URL not found' });
    }
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

app.use((req, res) => {
  res.status(404).json({ error: 'Not found' });
});

app.use((err, req, res, next) => {
  if (err.type === 'entity.parse.failed') {
    return res.status(400).json({ error: 'Body must be valid JSON' });
  }
  console.error(err);
  res.status(500).json({ error: 'Something went wrong' });
});

createTable()
  .then(() => {
    app.listen(PORT, () => console.log(`Listening on port ${PORT}`));
  })
  .catch((err) => {
    console.error('Could not connect to the database', err);
    process.exit(1);
  });
