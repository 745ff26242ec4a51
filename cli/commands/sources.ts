import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { GatewayError } from "../client.ts";
import type { Context } from "../context.ts";
import { table } from "../output.ts";

type Source = Record<string, unknown> & { id: string };

/** Fields a PATCH may not carry: the id is in the path, timestamps are the gateway's. */
const NOT_PATCHED = new Set(["id", "createdAt", "updatedAt"]);

export function registerSources(program: Command, context: () => Context): void {
  const sources = program.command("sources").description("list or apply sources");
  sources
    .command("list")
    .description("the configured sources")
    .action(async () => {
      const { client, out } = context();
      const res = await client.get<Source[]>("/sources");
      out.result(res.result, () =>
        table(res.result, ["id", "kind", "host", "pathPrefix", "origin", "onMiss", "enabled"]),
      );
    });
  sources
    .command("apply <file>")
    .description("create or update the sources of a JSON array (existing ids are updated, none deleted)")
    .action(async (file: string) => {
      const ctx = context();
      const { client, out } = ctx;
      const list = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8")) as unknown;
      if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON array of sources`);
      const results: { id: string; action: "created" | "updated" | "failed"; error?: string }[] = [];
      for (const [i, raw] of list.entries()) {
        const source = raw as Source;
        const id = typeof source?.id === "string" ? source.id : `#${i + 1}`;
        try {
          let exists = true;
          try {
            await client.get(`/sources/${encodeURIComponent(id)}`);
          } catch (err) {
            if (!(err instanceof GatewayError) || err.status !== 404) throw err;
            exists = false;
          }
          if (exists) {
            const patch = Object.fromEntries(Object.entries(source).filter(([k]) => !NOT_PATCHED.has(k)));
            await client.request("PATCH", `/sources/${encodeURIComponent(id)}`, { json: patch });
          } else {
            const { createdAt: _c, updatedAt: _u, ...body } = source;
            await client.request("POST", "/sources", { json: body });
          }
          results.push({ id, action: exists ? "updated" : "created" });
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          results.push({ id, action: "failed", error: err.errors[0]?.message ?? err.message });
        }
      }
      const count = (a: string) => results.filter((r) => r.action === a).length;
      out.result(results, () =>
        [
          ...results.map((r) => `${r.action.padEnd(7)} ${r.id}${r.error ? `  ${r.error}` : ""}`),
          `${count("created")} created, ${count("updated")} updated, ${count("failed")} failed`,
        ].join("\n"),
      );
      ctx.exit(count("failed") > 0 ? 1 : 0);
    });
}
