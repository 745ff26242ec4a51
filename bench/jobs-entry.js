// Bench-only entry for the jobs phase: the real gateway (../src/index) with the Images binding's
// `upload` counted, so the report can say how many uploads a backfill made per asset.
//   GET /__bench/uploads   { uploads }
import gateway from "../src/index";

let uploads = 0;
const wrapped = new WeakMap();

/** The same env object for the same real env (config is cached per env object). */
function counted(env) {
  let e = wrapped.get(env);
  if (!e) {
    const real = env.IMAGES.hosted;
    const hosted = {
      upload: (...args) => {
        uploads++;
        return real.upload(...args);
      },
      list: (...args) => real.list(...args),
      image: (id) => real.image(id),
    };
    e = { ...env, IMAGES: { hosted } };
    wrapped.set(env, e);
  }
  return e;
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__bench/uploads") return Response.json({ uploads });
    return gateway.fetch(request, counted(env), ctx);
  },
  queue(batch, env, ctx) {
    return gateway.queue(batch, counted(env), ctx);
  },
};
