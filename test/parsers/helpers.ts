import { expect } from "vitest";
import type { SourceKind } from "../../src/db/schema";
import { parseLegacyUrl } from "../../src/parsers";
import type { ParsedAsset, ParseError, ParseResult } from "../../src/parsers/types";
import type { Source, SourceOptions } from "../../src/sources/types";

/** A `Source` as the registry would hand it to the parsers. */
export function makeSource(
  kind: SourceKind,
  options: SourceOptions = {},
  overrides: Partial<Source> = {},
): Source {
  return {
    id: `${kind}-test`,
    kind,
    host: null,
    pathPrefix: "/",
    origin: "https://origin.example",
    onMiss: "ingest",
    redirectStatus: 301,
    defaultVariant: "public",
    requireSignedURLs: false,
    options,
    enabled: true,
    onOriginGone: "keep",
    revalidateAfter: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** The raw path below the source's `pathPrefix`, as the router passes it (always starting with `/`). */
export function restOf(url: URL, source: Source): string {
  const prefix = source.pathPrefix.replace(/\/+$/, "");
  const path = url.pathname;
  if (prefix === "") return path;
  if (path === prefix) return "/";
  if (!path.startsWith(prefix + "/")) throw new Error(`${path} is not below ${source.pathPrefix}`);
  return path.slice(prefix.length);
}

/** Parses an absolute URL (as a browser would send it) through the dispatcher. */
export function parse(href: string, source: Source): ParseResult {
  const url = new URL(href);
  return parseLegacyUrl(url, restOf(url, source), source);
}

export function expectOk(result: ParseResult): ParsedAsset {
  if (!result.ok) throw new Error(`expected a parsed asset, got ${result.reason}: ${result.message}`);
  return result;
}

export function expectError(result: ParseResult, reason: ParseError["reason"]): ParseError {
  if (result.ok) throw new Error(`expected ${reason}, got the key ${JSON.stringify(result.key)}`);
  expect(result.reason).toBe(reason);
  expect(result.message.length).toBeGreaterThan(10);
  return result;
}

/** Decodes an origin path segment by segment, as the origin server will. */
export function decodeSegments(originPath: string): string {
  return originPath.split("/").map(decodeURIComponent).join("/");
}

/** Tricky names shared by the kinds: folders, spaces, `,`, `+`, `#`, `%`, `?`, é, 日本. */
export const TRICKY_NAMES = [
  "sample",
  "folder/sub folder/photo",
  "a b/c,d+e#f%g?h",
  "café/日本 写真",
  "100% real+deal",
] as const;
