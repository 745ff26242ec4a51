import type { Command } from "commander";
import type { Context } from "../context.ts";
import { bytes, fmt, table } from "../output.ts";

interface Resolved {
  source: string | null;
  key: string | null;
  options: Record<string, unknown>;
  variant: string;
  mapping: { id: number; imageId: string | null; state: string } | null;
  action: string;
  location: string | null;
  error?: { code: number; message: string };
  dropped?: { param: string; reason: string }[];
}

interface Counts {
  ready: number;
  ingesting: number;
  failed: number;
  missing: number;
  orphaned: number;
  total: number;
}
interface SourceStats {
  source: string;
  mappings: Counts;
  hits: number;
  bytesIngested: number;
  failures: Record<string, number>;
}

export function registerInspect(program: Command, context: () => Context): void {
  program
    .command("resolve <url>")
    .description("what a GET of this legacy URL would do (dry run)")
    .action(async (url: string) => {
      const { client, out } = context();
      const r = (await client.request<Resolved>("POST", "/resolve", { json: { url } })).result;
      out.result(r, () =>
        [
          `action    ${r.action}`,
          `location  ${r.location ?? "—"}`,
          `source    ${r.source ?? "—"}`,
          `key       ${r.key ?? "—"}`,
          `variant   ${r.variant}`,
          `options   ${JSON.stringify(r.options)}`,
          `mapping   ${r.mapping ? `${r.mapping.id} ${r.mapping.state} → ${r.mapping.imageId ?? "—"}` : "—"}`,
          ...(r.error ? [`error     ${r.error.message} (code ${r.error.code})`] : []),
          ...(r.dropped?.length
            ? [`dropped   ${r.dropped.map((d) => `${d.param} (${d.reason})`).join(", ")}`]
            : []),
        ].join("\n"),
      );
    });
  program
    .command("stats")
    .description("migration progress per source (a table)")
    .action(async () => {
      const { client, out } = context();
      const s = (await client.get<{ sources: SourceStats[]; totals: Omit<SourceStats, "source"> }>("/stats"))
        .result;
      const row = (name: string, x: Omit<SourceStats, "source">) => ({
        source: name,
        ready: fmt(x.mappings.ready),
        ingesting: fmt(x.mappings.ingesting),
        failed: fmt(x.mappings.failed),
        missing: fmt(x.mappings.missing),
        orphaned: fmt(x.mappings.orphaned),
        total: fmt(x.mappings.total),
        hits: fmt(x.hits),
        bytes: bytes(x.bytesIngested),
      });
      out.result(s, () =>
        table(
          [...s.sources.map((x) => row(x.source, x)), row("(all)", s.totals)],
          ["source", "ready", "ingesting", "failed", "missing", "orphaned", "total", "hits", "bytes"],
        ),
      );
    });
}
