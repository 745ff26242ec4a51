// Reference (a): the cheapest possible redirect. No I/O, no parsing: a constant 301 with the same
// headers the gateway sends for a mapped asset.
const LOCATION = "https://imagedelivery.net/bench/constant-image/public";

export default {
  fetch() {
    return new Response(null, {
      status: 301,
      headers: { location: LOCATION, "cache-control": "public, max-age=86400" },
    });
  },
};
