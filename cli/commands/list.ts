import type { Command } from "commander";
import type { Context } from "../context.ts";
import { fmt } from "../output.ts";
import { positive } from "./import.ts";

/**
 * Legacy URLs straight from the old vendor, one a line on stdout (with --json, one `{"url"}` a line:
 * NDJSON that `backfill` reads as it is), to feed `backfill` or to build an `import` file.
 */
export function registerList(program: Command, context: () => Context): void {
  const list = program.command("list").description("list the old vendor's assets as legacy URLs");
  list
    .command("cloudinary")
    .description("every image upload of the cloud in CLOUDINARY_URL (Admin API, next_cursor paging)")
    .option("--prefix <prefix>", "only public ids starting with this")
    .option("--page-size <n>", "resources per Admin API call (≤ 500)", "500")
    .option("--base-url <url>", "print URLs on this base instead of the delivery host (e.g. your CNAME)")
    .action(async (o: Record<string, string | undefined>) => {
      const { out } = context();
      if (!process.env.CLOUDINARY_URL)
        throw new Error("list cloudinary: set CLOUDINARY_URL=cloudinary://<key>:<secret>@<cloud>");
      // Loaded here: the SDK reads CLOUDINARY_URL when it is first imported.
      const { default: sdk } = await import("cloudinary");
      const cloudinary = sdk.v2;
      const pageSize = Math.min(500, positive(o.pageSize, "--page-size"));
      let cursor: string | undefined;
      let n = 0;
      do {
        const page = await cloudinary.api.resources({
          type: "upload",
          resource_type: "image",
          max_results: pageSize,
          ...(o.prefix ? { prefix: o.prefix } : {}),
          ...(cursor ? { next_cursor: cursor } : {}),
        });
        for (const r of page.resources as {
          public_id: string;
          secure_url?: string;
          url?: string;
          version?: number;
          format?: string;
        }[]) {
          const url =
            r.secure_url ??
            r.url ??
            cloudinary.url(r.public_id, { secure: true, version: r.version, format: r.format });
          emit(out.json, rebase(url, o.baseUrl));
          n++;
        }
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      out.note(`listed ${fmt(n)} images`);
    });
  list
    .command("s3")
    .description("every object of a bucket (ListObjectsV2, continuation tokens)")
    .requiredOption("--bucket <bucket>", "the bucket")
    .option("--prefix <prefix>", "only keys starting with this")
    .option("--endpoint <url>", "an S3-compatible endpoint (path-style requests), e.g. http://127.0.0.1:9000")
    .option("--region <region>", "the bucket's region", process.env.AWS_REGION ?? "us-east-1")
    .option("--base-url <url>", "print URLs on this base (e.g. your CDN) instead of the S3 URL")
    .action(async (o: Record<string, string | undefined>) => {
      const { out } = context();
      const { S3Client, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
      const region = o.region!;
      const client = new S3Client({
        region,
        ...(o.endpoint ? { endpoint: o.endpoint, forcePathStyle: true } : {}),
      });
      const bucket = o.bucket!;
      const base =
        o.baseUrl?.replace(/\/+$/, "") ??
        (o.endpoint
          ? `${o.endpoint.replace(/\/+$/, "")}/${bucket}`
          : `https://${bucket}.s3${region === "us-east-1" ? "" : `.${region}`}.amazonaws.com`);
      let token: string | undefined;
      let n = 0;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: o.prefix, ContinuationToken: token }),
        );
        for (const obj of page.Contents ?? []) {
          if (!obj.Key || obj.Key.endsWith("/")) continue; // folder placeholders
          emit(out.json, `${base}/${obj.Key.split("/").map(encodeURIComponent).join("/")}`);
          n++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      out.note(`listed ${fmt(n)} objects`);
    });
}

function emit(json: boolean, url: string): void {
  process.stdout.write(json ? `${JSON.stringify({ url })}\n` : `${url}\n`);
}

function rebase(url: string, base: string | undefined): string {
  if (!base) return url;
  const u = new URL(url);
  return `${base.replace(/\/+$/, "")}${u.pathname}${u.search}`;
}
