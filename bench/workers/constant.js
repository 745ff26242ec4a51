// Reference (a): the cheapest possible redirect. No I/O, no parsing: a constant 301 with the same
// headers the gateway sends for a mapped asset of a source with the default CORS policy (SPEC:
// redirects carry `Access-Control-Allow-Origin: *` and `Timing-Allow-Origin: *`), so the ratio
// measures the gateway's work, not the size of the answer SPEC asks for.
const LOCATION = "https://imagedelivery.net/bench/constant-image/public";

export default {
  fetch() {
    return new Response(null, {
      status: 301,
      headers: {
        location: LOCATION,
        "cache-control": "public, max-age=86400",
        "timing-allow-origin": "*",
        "access-control-allow-origin": "*",
      },
    });
  },
};
