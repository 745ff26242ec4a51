// Reference (b): the naive design the gateway must beat — every request looks its whole URL up in
// D1 (`url` is the table's primary key) and redirects to the stored location.
export default {
  async fetch(request, env) {
    const location = await env.URLMAP.prepare("SELECT location FROM url_map WHERE url = ?")
      .bind(request.url)
      .first("location");
    if (location === null) return new Response("not mapped", { status: 404 });
    return new Response(null, {
      status: 301,
      headers: { location, "cache-control": "public, max-age=86400" },
    });
  },
};
