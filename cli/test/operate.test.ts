import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, cli, gatewayUrl, imageOrigin, tmpDir, uniqueId } from "./helpers.ts";

describe("sources, resolve, stats, jobs, export, restore", () => {
  const dir = tmpDir();
  let origin: Awaited<ReturnType<typeof imageOrigin>>;
  let id: string;

  beforeAll(async () => {
    origin = await imageOrigin();
    id = uniqueId("op");
  });
  afterAll(() => origin.close());

  it("sources apply creates new ids, updates existing ones, reports the invalid, and sources list shows them", async () => {
    const file = path.join(dir, "sources.json");
    const other = `${id}-b`;
    writeFileSync(
      file,
      JSON.stringify([
        { id, kind: "imgix", pathPrefix: `/${id}`, origin: origin.url },
        { id: other, kind: "http", pathPrefix: `/${other}` },
        { id: "Bad Id", kind: "imgix" },
      ]),
    );
    const first = await cli(["sources", "apply", file]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`created ${id}`);
    expect(first.stdout).toMatch(/failed +Bad Id +id: /);
    expect(first.stdout).toContain("2 created, 0 updated, 1 failed");

    writeFileSync(
      file,
      JSON.stringify([{ id: other, kind: "http", pathPrefix: `/${other}`, redirectStatus: 308 }]),
    );
    const second = await cli(["--json", "sources", "apply", file]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual([{ id: other, action: "updated" }]);
    expect((await api("GET", `/sources/${other}`)).result.redirectStatus).toBe(308);

    const listed = await cli(["sources", "list"]);
    expect(listed.stdout.split("\n")[0]).toMatch(/^id +kind +host +pathPrefix +origin +onMiss +enabled$/);
    expect(listed.stdout).toMatch(new RegExp(`${id} +imgix +— +/${id} +${origin.url} +ingest +true`));
  });

  it("resolve explains a legacy URL; stats prints a table", async () => {
    const run = await cli(["resolve", `${gatewayUrl()}/${id}/hero.png?w=300&blur=40`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("action    ingest");
    expect(run.stdout).toContain(`source    ${id}`);
    expect(run.stdout).toContain("key       hero.png");
    const json = JSON.parse((await cli(["--json", "resolve", `${gatewayUrl()}/${id}/hero.png`])).stdout);
    expect(json).toMatchObject({ action: "ingest", key: "hero.png" });

    await fetch(`${gatewayUrl()}/${id}/hero.png`, { redirect: "manual" });
    const stats = await cli(["stats"]);
    expect(stats.code).toBe(0);
    expect(stats.stdout.split("\n")[0]).toMatch(
      /^source +ready +ingesting +failed +missing +orphaned +total +hits +bytes$/,
    );
    expect(stats.stdout).toMatch(new RegExp(`${id} +1 +0 +0 +0 +0 +1 `));
  });

  it("export and restore follow their jobs to the end; jobs lists and shows them", async () => {
    const prefix = `cli/${id}/`;
    const exported = await cli(["export", "--prefix", prefix, "--interval", "200"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/Job \d+ \(export\) done/);
    expect(exported.stdout).toContain(`manifest: ${prefix}manifest.json`);
    const jobId = Number(/Job (\d+)/.exec(exported.stdout)![1]);

    const restored = await cli(["--json", "restore", "--prefix", prefix, "--interval", "200"]);
    expect(restored.code).toBe(0);
    const job = JSON.parse(restored.stdout);
    expect(job).toMatchObject({ type: "restore", state: "done", failed: 0 });
    expect(job.skipped).toBe(job.total); // every image is still in Images

    const list = await cli(["jobs", "--type", "export"]);
    expect(list.stdout.split("\n")[0]).toMatch(/^id +type +state +done +failed +created$/);
    expect(list.stdout).toMatch(new RegExp(`^ *${jobId} +export +done `, "m"));
    const one = await cli(["jobs", String(jobId), "--watch"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`Job ${jobId} \\(export\\) done`));
    const missing = await cli(["jobs", "999999"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No job with id '999999' (code 5000)");
  });

  it("a refused request exits non-zero with the gateway's message; --json says it as JSON", async () => {
    const run = await cli(["restore", "--prefix", "never/there/"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("No manifest.json under 'never/there/'");
    const json = await cli(["--json", "restore", "--prefix", "never/there/"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 422 });
    const bad = await cli(["--token", "wrong", "stats"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("401");
    const usage = await cli(["import"]);
    expect(usage.code).toBe(2);
  });
});
