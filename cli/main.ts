import { Command } from "commander";
import { GatewayError } from "./client.ts";
import { registerImport } from "./commands/import.ts";
import { registerInspect } from "./commands/inspect.ts";
import { registerJobs } from "./commands/jobs.ts";
import { registerList } from "./commands/list.ts";
import { registerSources } from "./commands/sources.ts";
import { type Context, createContext, type GlobalOptions } from "./context.ts";

/**
 * `npx legacy-image-gateway <command>`: the operator's side of a migration. SPEC "Operator CLI".
 * Exit codes: 0 all good; 1 something failed (rows, items, a job, a refused request); 2 usage.
 */
const program = new Command("legacy-image-gateway")
  .description(
    "Operate a Legacy Image Gateway: sources, bulk import, jobs (backfill, export, restore), stats",
  )
  .option(
    "--url <url>",
    "the gateway's base URL (env GATEWAY_URL)",
    process.env.GATEWAY_URL ?? "http://localhost:8787",
  )
  .option("--token <token>", "admin bearer token (env GATEWAY_TOKEN)")
  .option("--json", "print results as JSON (for scripts)")
  .option("--retries <n>", "retries on 429, 5xx and network errors, with exponential backoff", "5")
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

let context: Context | null = null;
const ctx = () => (context ??= createContext(program.opts<GlobalOptions>()));

registerSources(program, ctx);
registerImport(program, ctx);
registerJobs(program, ctx);
registerInspect(program, ctx);
registerList(program, ctx);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const json = Boolean(program.opts<GlobalOptions>().json);
  const message = err instanceof Error ? err.message : String(err);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ error: message, status: err instanceof GatewayError ? err.status : null })}\n`,
    );
  else process.stderr.write(`error: ${message}\n`);
  process.exitCode = err instanceof GatewayError ? 1 : 2;
}
