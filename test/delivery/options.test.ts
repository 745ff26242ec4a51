import { describe, expect, it } from "vitest";
import { flexibleVariant, hasOptions } from "../../src/delivery/options";

describe("flexibleVariant: Images' own parameter names and syntax", () => {
  it("writes every option, in a fixed order, with Images' names", () => {
    expect(
      flexibleVariant({
        saturation: 0,
        gamma: 1.1,
        contrast: 0.7,
        brightness: 1.2,
        background: "red",
        flip: "h",
        rotate: 90,
        sharpen: 2,
        blur: 10,
        dpr: 2,
        format: "auto",
        quality: 80,
        gravity: "0.25x0.8",
        fit: "cover",
        height: 300,
        width: 400,
      }),
    ).toBe(
      "w=400,h=300,fit=cover,gravity=0.25x0.8,quality=80,format=auto,dpr=2,blur=10,sharpen=2,rotate=90,flip=h," +
        "background=red,brightness=1.2,contrast=0.7,gamma=1.1,saturation=0",
    );
  });

  it("a colour's # is %23 (the variant is a path segment)", () => {
    expect(flexibleVariant({ background: "#ff000080" })).toBe("background=%23ff000080");
  });

  it("trim in its three forms: sides, a rectangle from the top left, the border", () => {
    expect(flexibleVariant({ trim: { top: 1, right: 2, bottom: 3, left: 4 } })).toBe("trim=1;2;3;4");
    expect(flexibleVariant({ width: 10, trim: { top: 5, left: 6, width: 70, height: 80 } })).toBe(
      "w=10,trim.top=5,trim.left=6,trim.width=70,trim.height=80",
    );
    expect(flexibleVariant({ trim: { border: true } })).toBe("trim=border");
    expect(flexibleVariant({ trim: { border: true, color: "#ffffff" } })).toBe(
      "trim=border,trim.border.color=%23ffffff",
    );
  });

  it("no options → empty string; hasOptions tells", () => {
    expect(flexibleVariant({})).toBe("");
    expect(hasOptions({})).toBe(false);
    expect(hasOptions({ saturation: 0 })).toBe(true);
  });
});
