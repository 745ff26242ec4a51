import { describe, expect, it } from "vitest";
import { openImageBody } from "../../src/ingest/guarded-body";
import { deterministicImageId, filenameOf, ingestMetadata } from "../../src/ingest/image-id";
import { backoffSeconds } from "../../src/ingest/ingest";
import { sniffImage } from "../../src/ingest/sniff";
import { config } from "../../src/config";
import { imageBytes } from "./helpers";
import { env } from "cloudflare:workers";

const text = (s: string) => new TextEncoder().encode(s);
const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const x of chunks) c.enqueue(x);
      c.close();
    },
  });

describe("format sniffing", () => {
  it.each(["png", "jpeg", "gif", "webp", "avif", "heic", "svg"] as const)("recognises %s", (kind) => {
    expect(sniffImage(imageBytes(kind), true)).toBe(kind);
  });

  it("recognises SVG after a BOM, comments and a doctype, and HEIF by compatible brand", () => {
    expect(
      sniffImage(
        text('\uFEFF  <!-- x --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg viewBox="0 0 1 1"/>'),
        true,
      ),
    ).toBe("svg");
    expect(sniffImage(text("\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heic\x00\x00\x00\x00"), true)).toBe(
      "heic",
    );
  });

  it.each([
    ["an HTML page", "<!DOCTYPE html><html><body>Not found</body></html>"],
    ["HTML without doctype", "<html><head><title>502</title></head></html>"],
    ["JSON", '{"error":"NoSuchKey"}'],
    ["XML that is not SVG", '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>'],
    ["plain text", "Service Unavailable"],
    ["an empty body", ""],
    ["an MP4", "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"],
    ["a PDF", "%PDF-1.7\n"],
  ])("refuses %s", (_name, body) => {
    expect(sniffImage(text(body), true)).toBeNull();
  });

  it("asks for more bytes while a prefix is ambiguous", () => {
    expect(sniffImage(text("<?xml version"), false)).toBeUndefined();
    expect(sniffImage(Uint8Array.of(0x89, 0x50), false)).toBeUndefined();
  });
});

describe("openImageBody", () => {
  it("replays the sniffed bytes and streams the rest, byte for byte, across chunk boundaries", async () => {
    const png = imageBytes("png", 10_000);
    const opened = await openImageBody(
      streamOf(png.subarray(0, 3), png.subarray(3, 5000), png.subarray(5000)),
      1 << 20,
    );
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.format).toBe("png");
    expect(new Uint8Array(await new Response(opened.readable).arrayBuffer())).toEqual(png);
    expect(opened.stats.bytes).toBe(10_000);
  });

  it("refuses non-images before anything is streamed, and oversize while streaming", async () => {
    const html = await openImageBody(streamOf(text("<html>500</html>")), 1 << 20);
    expect(html).toEqual({ ok: false, refusal: expect.objectContaining({ reason: "not_an_image" }) });
    const big = await openImageBody(streamOf(imageBytes("jpeg", 600), new Uint8Array(600)), 1000);
    expect(big.ok).toBe(true);
    if (!big.ok) return;
    await expect(new Response(big.readable).arrayBuffer()).rejects.toThrow(/larger than 1000 bytes/);
    expect(big.stats.refusal?.reason).toBe("too_large");
  });
});

describe("image ids and metadata", () => {
  it("derives one stable custom id per (source, key) that Images accepts for any key", async () => {
    const id = await deterministicImageId("cld", "folder/a b.jpg", false);
    expect(id).toMatch(/^cld-[0-9a-f]{40}$/);
    expect(await deterministicImageId("cld", "folder/a b.jpg", false)).toBe(id);
    expect(await deterministicImageId("cld", "folder/a b.JPG", false)).not.toBe(id);
    expect(await deterministicImageId("cld2", "folder/a b.jpg", false)).not.toBe(id);
    // No ambiguity between a source id and the start of a key.
    expect(await deterministicImageId("a-b", "c", false)).not.toBe(
      await deterministicImageId("a", "b-c", false),
    );
    for (const key of ["dir/", "x".repeat(1024), "日本/#?%+ é", "/x"]) {
      const other = (await deterministicImageId("s3", key, false))!;
      expect(other.length).toBeLessThanOrEqual(1024);
      expect(other).not.toMatch(/^\/|\/$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    expect(await deterministicImageId("cld", "a.jpg", true)).toBeNull();
  });

  it("keeps metadata within 1024 bytes and tells when the key was shortened", () => {
    const small = ingestMetadata("s3", "a/b.jpg", "https://o/a/b.jpg");
    expect(small).toEqual({ source: "s3", key: "a/b.jpg", originUrl: "https://o/a/b.jpg" });
    const longKey = "é".repeat(1000);
    const big = ingestMetadata("s3", longKey, `https://o/${"x".repeat(900)}`);
    expect(new TextEncoder().encode(JSON.stringify(big)).byteLength).toBeLessThanOrEqual(1024);
    expect(big.key!.endsWith("…")).toBe(true);
    expect(big.source).toBe("s3");
  });

  it("names the file after the key's last segment", () => {
    expect(filenameOf("a/b/photo.jpg")).toBe("photo.jpg");
    expect(filenameOf("logo.gif?v=2")).toBe("logo.gif");
  });

  it("backs off exponentially from RETRY_BASE up to RETRY_MAX", () => {
    const cfg = config({ ...env, RETRY_BASE: "30", RETRY_MAX: "600" } as Env);
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffSeconds(cfg, n))).toEqual([
      30, 60, 120, 240, 480, 600, 600,
    ]);
  });
});
