import { describe, expect, it } from "vitest";
import { parseHttpUrl } from "../../src/parsers/http";
import { decodeSegments, expectError, expectOk, makeSource, parse, TRICKY_NAMES } from "./helpers";

const plain = makeSource("http", {}, { origin: "https://old.example.com" });
const versioned = makeSource("http", { keepQuery: ["v", "variant"] }, { origin: "https://old.example.com" });

/** How a browser or an HTML template writes the URL of `path`: each segment encoded. */
function href(path: string, query = ""): string {
  return `https://www.example.com/${path.split("/").map(encodeURIComponent).join("/")}${query}`;
}

describe("http: key = path below the prefix", () => {
  for (const name of TRICKY_NAMES) {
    const path = `${name}.png`;
    it(`path ${JSON.stringify(path)}: key is the decoded path, origin path round-trips, query ignored`, () => {
      const asset = expectOk(parse(href(path, "?w=100&utm_source=x"), plain));
      expect(asset.key).toBe(path);
      expect(asset.options).toEqual({});
      expect(asset.originPath).not.toMatch(/[ #?]/);
      expect(decodeSegments(asset.originPath)).toBe(path);
    });
  }

  it("is decoded exactly once (%2525 stays %25)", () => {
    const asset = expectOk(parse("https://www.example.com/a%2525b.jpg", plain));
    expect(asset.key).toBe("a%25b.jpg");
    expect(asset.originPath).toBe("a%2525b.jpg");
  });

  it("below a pathPrefix", () => {
    const src = makeSource("http", {}, { pathPrefix: "/static/img" });
    const asset = expectOk(parse("https://www.example.com/static/img/logos/a%20b.svg", src));
    expect(asset.key).toBe("logos/a b.svg");
    expect(asset.originPath).toBe("logos/a%20b.svg");
  });
});

describe("http: keepQuery", () => {
  it("kept params join the key in keepQuery order, others dropped", () => {
    const asset = expectOk(parse(href("a/b.jpg", "?variant=large&utm=1&v=2"), versioned));
    expect(asset.key).toBe("a/b.jpg?v=2&variant=large");
    expect(asset.originPath).toBe("a/b.jpg?v=2&variant=large");
  });

  it("absent params are omitted; no '?' when none is present", () => {
    expect(expectOk(parse(href("a.jpg", "?variant=s"), versioned)).key).toBe("a.jpg?variant=s");
    const none = expectOk(parse(href("a.jpg", "?other=1"), versioned));
    expect(none.key).toBe("a.jpg");
    expect(none.originPath).toBe("a.jpg");
    expect(expectOk(parse(href("a.jpg"), versioned)).key).toBe("a.jpg");
  });

  it("values are form-decoded then re-encoded with encodeURIComponent", () => {
    const asset = expectOk(parse(href("a.jpg", "?v=1+2%2F3%20%C3%A9&v=ignored"), versioned));
    expect(asset.key).toBe("a.jpg?v=1%202%2F3%20%C3%A9");
    expect(asset.originPath).toBe("a.jpg?v=1%202%2F3%20%C3%A9");
  });

  it("a name listed twice in keepQuery is written once", () => {
    const twice = makeSource("http", { keepQuery: ["v", "v"] });
    expect(expectOk(parse(href("a.jpg", "?v=1"), twice)).key).toBe("a.jpg?v=1");
  });

  it("an empty kept value is kept as name=", () => {
    expect(expectOk(parse(href("a.jpg", "?v="), versioned)).key).toBe("a.jpg?v=");
  });

  it("URLs differing only in a kept param are different keys; in another param the same key", () => {
    const k = (q: string) => expectOk(parse(href("a.jpg", q), versioned)).key;
    expect(k("?v=1")).not.toBe(k("?v=2"));
    expect(k("?v=1&x=1")).toBe(k("?x=2&v=1"));
  });

  it("the kept query counts towards the 1024-byte limit", () => {
    const path = "p".repeat(1018); // + "?v=12" = 1023, + "?v=123" = 1024, + "?v=1234" = 1025
    expect(expectOk(parse(href(path, "?v=123"), versioned)).key.length).toBe(1024);
    expectError(parse(href(path, "?v=1234"), versioned), "invalid_key");
  });
});

describe("http: invalid paths", () => {
  it("empty path", () => {
    expectError(parse("https://www.example.com/", plain), "invalid_key");
    expectError(parse("https://www.example.com/?v=1", versioned), "invalid_key");
  });

  it("leading slash (double slash in the URL), '..', NUL, DEL", () => {
    const url = new URL("https://www.example.com/x");
    expectError(parse("https://www.example.com//etc/passwd", plain), "invalid_key");
    expectError(parseHttpUrl(url, "/a/../../etc/passwd", plain), "invalid_key");
    expectError(parseHttpUrl(url, "/a/%2E%2E", plain), "invalid_key");
    expectError(parse("https://www.example.com/a%00b", plain), "invalid_key");
    expectError(parse("https://www.example.com/a%7F", plain), "invalid_key");
  });

  it("malformed escapes", () => {
    expectError(parse("https://www.example.com/a%zz", plain), "unparseable_url");
    expectError(parse("https://www.example.com/a%C3", plain), "unparseable_url");
  });
});
