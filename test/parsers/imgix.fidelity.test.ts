import ImgixClient from "@imgix/js-core";
import { describe, expect, it } from "vitest";
import { flexibleVariant } from "../../src/delivery/options";
import { expectOk, makeSource, parse } from "./helpers";

/** Issue 9 for imgix: the params Images has an equivalent for, from URLs @imgix/js-core builds. */

const source = makeSource("imgix", {}, { host: "demo.imgix.net" });
const client = new ImgixClient({ domain: "demo.imgix.net", includeLibraryParam: true });

function parsed(params: Record<string, string | number>) {
  return expectOk(parse(client.buildURL("photos/a.jpg", params), source));
}

describe("imgix: params → Images options", () => {
  it("ar with fit=crop derives the other dimension; max-w/max-h scale a larger box down", () => {
    expect(parsed({ ar: "16:9", fit: "crop", w: 1600 }).options).toEqual({
      width: 1600,
      height: 900,
      fit: "cover",
    });
    expect(parsed({ ar: "16:9", fit: "crop", w: 1600, "max-w": 800 }).options).toEqual({
      width: 800,
      height: 450,
      fit: "cover",
    });
    expect(parsed({ fit: "crop", w: 400, h: 1000, "max-h": 500 }).options).toEqual({
      width: 200,
      height: 500,
      fit: "cover",
    });
    const alone = parsed({ fit: "crop", ar: "1:1" });
    expect(alone.options).toEqual({});
    expect(alone.dropped.map((d) => d.param)).toEqual(["ar=1:1", "fit=crop"]);
  });

  it("rot by quarter turns and flip → rotate/flip, the box turned with the output", () => {
    expect(parsed({ rot: 90 }).options).toEqual({ rotate: 90 });
    expect(parsed({ w: 400, h: 300, fit: "crop", crop: "top", rot: 90 }).options).toEqual({
      width: 300,
      height: 400,
      fit: "cover",
      gravity: "right",
      rotate: 90,
    });
    expect(parsed({ flip: "h" }).options).toEqual({ flip: "h" });
    expect(parsed({ flip: "v" }).options).toEqual({ flip: "v" });
    expect(parsed({ flip: "hv" }).options).toEqual({ rotate: 180 });
    const odd = parsed({ rot: 45 });
    expect(odd.options).toEqual({});
    expect(odd.dropped).toEqual([{ param: "rot=45", reason: expect.stringMatching(/90, 180 or 270/) }]);
  });

  it("bg: hex (alpha first, as imgix writes it) or a colour keyword → a CSS background", () => {
    expect(parsed({ bg: "f00" }).options).toEqual({ background: "#ff0000" });
    expect(parsed({ bg: "80ff0000" }).options).toEqual({ background: "#ff000080" });
    expect(parsed({ bg: "8f00" }).options).toEqual({ background: "#ff000088" });
    expect(parsed({ bg: "red", fit: "fill", w: 100, h: 100 }).options).toEqual({
      width: 100,
      height: 100,
      fit: "pad",
      background: "red",
    });
    expect(flexibleVariant(parsed({ bg: "336699" }).options)).toBe("background=%23336699");
  });

  it("sat, bri, con, gam (−100…100) → factors; sat=-100 is grayscale; 0 is no option", () => {
    expect(parsed({ sat: -100 }).options).toEqual({ saturation: 0 });
    expect(parsed({ sat: 50 }).options).toEqual({ saturation: 1.5 });
    expect(parsed({ bri: 20, con: -30, gam: 10 }).options).toEqual({
      brightness: 1.2,
      contrast: 0.7,
      gamma: 1.1,
    });
    expect(parsed({ bri: -100 }).options).toEqual({ brightness: 0.01 });
    expect(parsed({ sat: 0 }).options).toEqual({});
    expect(parsed({ con: "lots" }).dropped.map((d) => d.param)).toEqual(["con=lots"]);
  });

  it("trim=auto|color → trim=border (trim-color as its colour); tolerances are listed", () => {
    expect(parsed({ trim: "auto" }).options).toEqual({ trim: { border: true } });
    const colored = parsed({ trim: "color", "trim-color": "fff", "trim-tol": 20 });
    expect(colored.options).toEqual({ trim: { border: true, color: "#ffffff" } });
    expect(colored.dropped.map((d) => d.param)).toEqual(["trim-tol=20"]);
    expect(flexibleVariant(colored.options)).toBe("trim=border,trim.border.color=%23ffffff");
  });

  it("rect=x,y,w,h in pixels → a trim rectangle, then the resize; with dpr, dpr goes into the size", () => {
    expect(parsed({ rect: "10,20,300,200", w: 150 }).options).toEqual({
      width: 150,
      trim: { top: 20, left: 10, width: 300, height: 200 },
    });
    expect(parsed({ rect: "10,20,300,200", w: 150, dpr: 2 }).options).toEqual({
      width: 300,
      trim: { top: 20, left: 10, width: 300, height: 200 },
    });
    expect(parsed({ rect: "left,top,0.5,0.5" }).dropped.map((d) => d.param)).toEqual([
      "rect=left,top,0.5,0.5",
    ]);
  });

  it("pad and other params without an Images equivalent are listed, the rest carried", () => {
    const asset = parsed({ w: 300, pad: 20, txt: "Hello", mark: "logo.png" });
    expect(asset.options).toEqual({ width: 300 });
    expect(asset.dropped.map((d) => d.param).sort()).toEqual(["mark=logo.png", "pad=20", "txt=Hello"]);
  });

  it("aliases count as their param (width, height, f, max-width)", () => {
    expect(parsed({ width: 300, height: 200, f: "crop" }).options).toEqual({
      width: 300,
      height: 200,
      fit: "cover",
    });
  });
});
