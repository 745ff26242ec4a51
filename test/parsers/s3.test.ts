import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { describe, expect, it } from "vitest";
import { parseS3Url } from "../../src/parsers/s3";
import { decodeSegments, expectError, expectOk, makeSource, parse, TRICKY_NAMES } from "./helpers";

const credentials = { accessKeyId: "a", secretAccessKey: "b" };

/** A presigned GetObject URL from the AWS SDK itself. */
async function sdkUrl(region: string, bucket: string, key: string, forcePathStyle = false, expiresIn = 900) {
  const client = new S3Client({ region, credentials, forcePathStyle });
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}

/** S3 object keys: the shared tricky names plus characters S3 users really have. */
const KEYS = [
  ...TRICKY_NAMES.map((name) => `${name}.jpg`),
  "x+y.jpg",
  "x y.jpg",
  "~!*'()[]&$=;:@.png",
  "deep/a//b/c.webp",
];

const CLIENTS: Array<[string, string, boolean]> = [
  ["us-east-1", "legacy-images", false],
  ["eu-west-1", "legacy-images", false],
  ["ap-northeast-1", "legacy-images", true],
  ["eu-central-1", "legacy-images", true],
  ["us-west-2", "assets.example.com", false], // dotted bucket: the SDK falls back to path style
];

/** A source without origin (mappings only) may serve any bucket; one with an origin may not. */
const anyBucket = makeSource("s3", {}, { origin: null });

describe("s3: URLs from the AWS SDK", () => {
  for (const [region, bucket, pathStyle] of CLIENTS) {
    it(`${region} ${pathStyle ? "path-style" : "virtual-hosted"} bucket ${bucket}: key = <bucket>/<object key>, origin round-trips`, async () => {
      for (const objectKey of KEYS) {
        const url = await sdkUrl(region, bucket, objectKey, pathStyle);
        expect(url).toContain("X-Amz-Signature=");
        const asset = expectOk(parse(url, anyBucket));
        expect(asset.key, url).toBe(`${bucket}/${objectKey}`);
        expect(asset.options).toEqual({});
        expect(asset.originPath).not.toMatch(/[ +#?]/);
        expect(decodeSegments(asset.originPath)).toBe(objectKey);
      }
    });
  }

  it("the host style matches what the test intends", async () => {
    expect(new URL(await sdkUrl("eu-west-1", "legacy-images", "a.jpg")).hostname).toBe(
      "legacy-images.s3.eu-west-1.amazonaws.com",
    );
    expect(new URL(await sdkUrl("eu-central-1", "legacy-images", "a.jpg", true)).hostname).toBe(
      "s3.eu-central-1.amazonaws.com",
    );
  });

  it("two signatures of one object (different expiry, region, style) give the same key", async () => {
    const urls = [
      await sdkUrl("us-east-1", "legacy-images", "a b/c.jpg", false, 60),
      await sdkUrl("us-east-1", "legacy-images", "a b/c.jpg", false, 3600),
      await sdkUrl("eu-west-1", "legacy-images", "a b/c.jpg", true, 60),
    ];
    const keys = urls.map((u) => expectOk(parse(u, anyBucket)).key);
    expect(new Set(keys)).toEqual(new Set(["legacy-images/a b/c.jpg"]));
  });

  it("a key with '+' and a key with a space stay distinct (key and origin path)", async () => {
    const plus = expectOk(parse(await sdkUrl("us-east-1", "b1", "x+y.jpg"), anyBucket));
    const space = expectOk(parse(await sdkUrl("us-east-1", "b1", "x y.jpg"), anyBucket));
    expect(plus.key).toBe("b1/x+y.jpg");
    expect(space.key).toBe("b1/x y.jpg");
    expect(plus.originPath).toBe("x%2By.jpg");
    expect(space.originPath).toBe("x%20y.jpg");
  });

  it("a configured bucket accepts its own SDK URLs and refuses another bucket's, naming both", async () => {
    const only = makeSource("s3", { bucket: "legacy-images" });
    expect(expectOk(parse(await sdkUrl("us-east-1", "legacy-images", "k.jpg"), only)).key).toBe(
      "legacy-images/k.jpg",
    );
    expect(expectOk(parse(await sdkUrl("us-east-1", "legacy-images", "k.jpg", true), only)).key).toBe(
      "legacy-images/k.jpg",
    );
    for (const pathStyle of [false, true]) {
      const error = expectError(
        parse(await sdkUrl("us-east-1", "other-bucket", "k.jpg", pathStyle), only),
        "unparseable_url",
      );
      expect(error.message).toContain("'other-bucket'");
      expect(error.message).toContain("'legacy-images'");
    }
  });
});

describe("s3: hand-built hosts the SDK does not generate", () => {
  const cases: Array<[string, string]> = [
    ["https://my.dotted.bucket.s3-website-us-east-1.amazonaws.com/a%20b/c.jpg", "my.dotted.bucket/a b/c.jpg"],
    ["http://site-bucket.s3-website.eu-central-1.amazonaws.com/index/hero.png", "site-bucket/index/hero.png"],
    ["https://ds-bucket.s3.dualstack.us-east-1.amazonaws.com/k%2Bv.jpg", "ds-bucket/k+v.jpg"],
    ["https://old-bucket.s3-us-west-2.amazonaws.com/photo.jpg", "old-bucket/photo.jpg"],
    ["https://global-bucket.s3.amazonaws.com/%E6%97%A5%E6%9C%AC.jpg", "global-bucket/日本.jpg"],
    ["https://my.s3.bucket.s3.us-east-1.amazonaws.com/x.jpg", "my.s3.bucket/x.jpg"],
    ["https://fast-bucket.s3-accelerate.dualstack.amazonaws.com/x.jpg", "fast-bucket/x.jpg"],
    ["https://cn-bucket.s3.cn-north-1.amazonaws.com.cn/x.jpg", "cn-bucket/x.jpg"],
    ["https://s3.amazonaws.com/path-bucket/a/b.jpg", "path-bucket/a/b.jpg"],
    ["https://s3-us-west-2.amazonaws.com/path-bucket/a/b.jpg", "path-bucket/a/b.jpg"],
    ["https://s3.dualstack.eu-west-1.amazonaws.com/path-bucket/a/b.jpg", "path-bucket/a/b.jpg"],
    ["https://s3-external-1.amazonaws.com/path-bucket/a.jpg", "path-bucket/a.jpg"],
  ];
  for (const [url, key] of cases) {
    it(`${new URL(url).hostname} → ${key}`, () => {
      expect(expectOk(parse(url, anyBucket)).key).toBe(key);
    });
  }

  it("a literal '+' in the path means a space, as S3 decodes it; %2B is a plus", () => {
    const asset = expectOk(parse("https://b.s3.amazonaws.com/summer+holiday/a%2Bb.jpg", anyBucket));
    expect(asset.key).toBe("b/summer holiday/a+b.jpg");
    expect(asset.originPath).toBe("summer%20holiday/a%2Bb.jpg");
  });

  it("the query (X-Amz-*, x-id, versionId) is ignored", () => {
    const a = expectOk(
      parse("https://b.s3.amazonaws.com/a.jpg?X-Amz-Expires=1&x-id=GetObject&versionId=3", anyBucket),
    );
    expect(a.key).toBe("b/a.jpg");
    expect(a.originPath).toBe("a.jpg");
  });
});

describe("s3: VPC interface endpoints and other documented endpoint shapes", () => {
  const VPCE = "https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com";

  /** A presigned URL from the AWS SDK pointed at an interface endpoint (as the AWS docs show). */
  async function vpceUrl(bucket: string, key: string, forcePathStyle: boolean) {
    const client = new S3Client({ region: "us-east-1", credentials, endpoint: VPCE, forcePathStyle });
    return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }));
  }

  it("virtual-hosted through an interface endpoint: <bucket>.bucket.vpce-….s3.<region>.vpce.amazonaws.com", async () => {
    const url = await vpceUrl("legacy-images", "a b/c+d.jpg", false);
    expect(new URL(url).hostname).toBe(
      "legacy-images.bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com",
    );
    const asset = expectOk(parse(url, anyBucket));
    expect(asset.key).toBe("legacy-images/a b/c+d.jpg");
    expect(decodeSegments(asset.originPath)).toBe("a b/c+d.jpg");
  });

  it("path-style through an interface endpoint: bucket.vpce-…/<bucket>/<key>", async () => {
    const url = await vpceUrl("legacy-images", "x/y.png", true);
    expect(new URL(url).hostname).toBe("bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com");
    expect(expectOk(parse(url, anyBucket)).key).toBe("legacy-images/x/y.png");
    const only = makeSource("s3", { bucket: "legacy-images" });
    expect(expectOk(parse(url, only)).key).toBe("legacy-images/x/y.png");
    expectError(parse(await vpceUrl("other", "x/y.png", true), only), "unparseable_url");
  });

  it("dual-stack, FIPS and accelerate endpoints as the SDK writes them", async () => {
    for (const flags of [
      { useDualstackEndpoint: true },
      { useFipsEndpoint: true },
      { useAccelerateEndpoint: true },
    ]) {
      const client = new S3Client({ region: "us-east-1", credentials, ...flags });
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "legacy-images", Key: "k.jpg" }));
      expect(expectOk(parse(url, anyBucket)).key, url).toBe("legacy-images/k.jpg");
    }
  });

  it("S3 Express One Zone: <bucket>.s3express-<zone>.<region>.amazonaws.com (the SDK needs a session to presign)", () => {
    const asset = expectOk(
      parse("https://media--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/a/b.jpg", anyBucket),
    );
    expect(asset.key).toBe("media--usw2-az1--x-s3/a/b.jpg");
  });
});

describe("s3: the gateway's own domain", () => {
  it("with options.bucket, the whole path below the prefix is the object key", () => {
    const src = makeSource(
      "s3",
      { bucket: "legacy-images" },
      { host: "img.example.com", pathPrefix: "/media" },
    );
    const asset = expectOk(parse("https://img.example.com/media/legacy-images/x%20y+z.jpg", src));
    expect(asset.key).toBe("legacy-images/legacy-images/x y z.jpg");
    expect(asset.originPath).toBe("legacy-images/x%20y%20z.jpg");
  });

  it("options.pathStyle: the first segment is the bucket and must be options.bucket", () => {
    const src = makeSource("s3", { bucket: "demo-bucket", pathStyle: true }, { pathPrefix: "/s3" });
    const asset = expectOk(parse("https://img.example.com/s3/demo-bucket/photos/a%20b.png", src));
    expect(asset.key).toBe("demo-bucket/photos/a b.png");
    expect(asset.originPath).toBe("photos/a%20b.png");
    const error = expectError(
      parse("https://img.example.com/s3/b2/photos/a%20b.png", src),
      "unparseable_url",
    );
    expect(error.message).toContain("'b2'");
    expect(error.message).toContain("'demo-bucket'");
  });

  it("a source with an origin but no options.bucket serves nothing: /b1/x and /b2/x would fetch one object twice", () => {
    const src = makeSource("s3", {}, { origin: "https://bucket.origin.test" });
    for (const url of ["https://img.example.com/b1/photo.jpg", "https://b.s3.amazonaws.com/photo.jpg"]) {
      expect(expectError(parse(url, src), "unparseable_url").message).toMatch(/options\.bucket/);
    }
  });

  it("without options.bucket, the first segment is the bucket (path style)", () => {
    const asset = expectOk(parse("https://img.example.com/some-bucket/f/%C3%A9.jpg", anyBucket));
    expect(asset.key).toBe("some-bucket/f/é.jpg");
    expect(asset.originPath).toBe("f/%C3%A9.jpg");
  });
});

describe("s3: invalid URLs", () => {
  it("no bucket or no object key", () => {
    expectError(parse("https://s3.amazonaws.com/", anyBucket), "unparseable_url");
    expectError(parse("https://s3.amazonaws.com/only-bucket", anyBucket), "unparseable_url");
    expectError(parse("https://s3.amazonaws.com/bucket/", anyBucket), "invalid_key");
    expectError(parse("https://b.s3.amazonaws.com/", anyBucket), "invalid_key");
  });

  it("a bucket segment that is not a bucket name", () => {
    expectError(parse("https://img.example.com/b%20c/k.jpg", anyBucket), "unparseable_url");
  });

  it("'..', NUL, control characters, malformed escapes", () => {
    const url = new URL("https://b.s3.amazonaws.com/x");
    expectError(parseS3Url(url, "/a/../b.jpg", anyBucket), "invalid_key");
    expectError(parseS3Url(url, "/%2e%2e/b.jpg", anyBucket), "invalid_key");
    expectError(parse("https://b.s3.amazonaws.com/a%2F..%2F..%2Fb.jpg", anyBucket), "invalid_key");
    expectError(parse("https://b.s3.amazonaws.com/a%00.jpg", anyBucket), "invalid_key");
    expectError(parse("https://b.s3.amazonaws.com/a%0D%0A.jpg", anyBucket), "invalid_key");
    expectError(parse("https://b.s3.amazonaws.com/a%zz.jpg", anyBucket), "unparseable_url");
  });

  it("a key over 1024 bytes, counting the bucket", async () => {
    const bucket = "bkt"; // "bkt/" = 4 bytes
    const fits = "a".repeat(1020);
    expect(expectOk(parse(await sdkUrl("us-east-1", bucket, fits), anyBucket)).key).toBe(`${bucket}/${fits}`);
    expectError(parse(await sdkUrl("us-east-1", bucket, fits + "é"), anyBucket), "invalid_key");
  });
});
