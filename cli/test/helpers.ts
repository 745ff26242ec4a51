import { execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/legacy-image-gateway.js", import.meta.url));

export const gatewayUrl = () => inject("gatewayUrl");
export const token = () => inject("gatewayToken");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as an operator would (its bin, in a child Node), against the test gateway. */
export function cli(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: {
        ...process.env,
        GATEWAY_URL: gatewayUrl(),
        GATEWAY_TOKEN: token(),
        GATEWAY_BACKOFF_MS: "20",
        NO_COLOR: "1",
        ...opts.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

/** The admin API, for setting up and checking what the CLI did. */
export async function api<T = any>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; result: T }> {
  const res = await fetch(`${gatewayUrl()}/_admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token()}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { result: T };
  return { status: res.status, result: json.result };
}

export const tmpDir = () => mkdtempSync(path.join(os.tmpdir(), "lig-cli-"));

let n = 0;
export const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(n++).toString(36)}`;

/** A local HTTP server; `hits` counts requests by path. */
export async function serve(handler: http.RequestListener) {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A real 1×1 PNG, plus some bytes so each original differs. */
export function png(tag = ""): Buffer {
  const base = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
    "base64",
  );
  return Buffer.concat([base, Buffer.from(tag)]);
}

/** A legacy origin: a PNG for every path (its bytes name the path), 404 for paths with "missing". */
export function imageOrigin() {
  return serve((req, res) => {
    if (req.url?.includes("missing")) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "image/png" }).end(png(req.url));
  });
}

export { execFile };
