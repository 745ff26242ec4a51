import ImgixClient from "@imgix/js-core";
import { v2 as cloudinary } from "cloudinary";
import { describe, expect, it } from "vitest";
import { admin, createSource, DELIVERY, gateway, mapKey } from "../helpers";

const resolve = (url: string) => admin("POST", "/resolve", { url });

describe("POST /_admin/resolve: dropped lists what the URL asked for that Images will not do", () => {
  it("a Cloudinary chain: the composed options, the redirect they make, and each dropped param with its reason", async () => {
    const s = await createSource({ kind: "cloudinary", options: { cloudName: "demo" } });
    const m = await mapKey(s.id, "sample");
    const url = cloudinary
      .url("sample", {
        cloud_name: "demo",
        secure: true,
        transformation: [
          { crop: "fill", height: 399, width: 399 },
          { angle: 17, effect: "sepia", width: 100 },
          { overlay: "logo", width: 20 },
        ],
      })
      .replace("https://res.cloudinary.com", `https://${s.host}`);
    const result = (await resolve(url)).body.result;
    expect(result).toMatchObject({
      key: "sample",
      options: { width: 100, height: 100, fit: "cover" },
      variant: "w=100,h=100,fit=cover",
      action: "redirect",
      location: `${DELIVERY}/${m.imageId}/w=100,h=100,fit=cover`,
    });
    expect(result.dropped).toEqual([
      { param: "e_sepia", reason: expect.stringMatching(/no Images equivalent/) },
      { param: "a_17", reason: expect.stringMatching(/90, 180 or 270/) },
      { param: "l_logo,w_20", reason: expect.stringMatching(/no layers/) },
    ]);
    expect((await gateway(url)).headers.get("location")).toBe(result.location);
  });

  it("imgix: malformed and unknown params are listed, the rest carried; nothing dropped → no dropped field", async () => {
    const s = await createSource({ kind: "imgix" });
    const client = new ImgixClient({ domain: s.host, includeLibraryParam: true });
    const result = (await resolve(client.buildURL("a.jpg", { w: "abc", h: 300, txt: "Hi", rot: 90 }))).body
      .result;
    // imgix rotates after resizing, Images before: the 300 px height becomes the rotated width.
    expect(result.options).toEqual({ width: 300, rotate: 90 });
    expect(result.dropped).toEqual([
      { param: "w=abc", reason: "malformed size" },
      { param: "txt=Hi", reason: "no Images equivalent" },
    ]);
    const clean = (await resolve(client.buildURL("a.jpg", { w: 300 }))).body.result;
    expect("dropped" in clean).toBe(false);
  });
});
