// Reference for the bulk import: the straightforward way to write N mappings — the same CSV
// (`url,imageId`), split naively, one bound INSERT per row, sent in env.DB.batch chunks of
// ROWS_PER_BATCH. It writes into its own D1 database that has the gateway's real migrations (same
// table, indexes and triggers), so only the write strategy differs.
const ROWS_PER_BATCH = 100;
const INSERT = `INSERT INTO mappings (source, key, image_id, state, origin_url, attempts, hits, created_at, updated_at)
  VALUES (?1, ?2, ?3, 'ready', NULL, 0, 0, ?4, ?4)`;

// The two URL shapes the benchmark generates: /cld/demo/image/upload/v1/<key>.jpg and /ix/<key>.
function sourceAndKey(url) {
  const path = new URL(url).pathname;
  if (path.startsWith("/cld/")) {
    const key = path.slice(path.indexOf("/v1/") + 4);
    return ["cld", key.replace(/\.(jpe?g|png|gif|webp)$/, "")];
  }
  return ["ix", path.slice("/ix/".length)];
}

export default {
  async fetch(request, env) {
    const text = await request.text();
    const lines = text.split("\n");
    const now = new Date().toISOString();
    const insert = env.DB.prepare(INSERT);
    let created = 0;
    let batch = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const results = await env.DB.batch(batch);
      for (const r of results) created += r.meta.changes;
      batch = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === "" || (i === 0 && line.toLowerCase().startsWith("url,"))) continue;
      const comma = line.lastIndexOf(",");
      const [source, key] = sourceAndKey(line.slice(0, comma));
      batch.push(insert.bind(source, key, line.slice(comma + 1), now));
      if (batch.length === ROWS_PER_BATCH) await flush();
    }
    await flush();
    return Response.json({ created });
  },
};
