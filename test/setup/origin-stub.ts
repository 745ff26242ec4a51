import { afterEach, beforeEach, vi } from "vitest";
import { resetOrigins, takeUnhandled, stubbedFetch } from "../origin";

// Every outbound fetch of the Worker (it runs in this isolate) goes to origin stubs the tests own;
// a request to any host no test registered fails that test.
vi.stubGlobal("fetch", stubbedFetch);

beforeEach(() => resetOrigins());
afterEach(() => {
  const unhandled = takeUnhandled();
  if (unhandled.length) throw new Error(`unhandled outbound requests: ${unhandled.join(", ")}`);
});
