import { describe, expect, it } from "vitest";
import { admin, createSource } from "../helpers";

import { capturingQueue, type Job, postJobWith } from "./helpers";

describe("job routes", () => {
  it("lists jobs newest first with cursor paging and filters; shows one job and its items", async () => {
    const s = await createSource({ kind: "imgix", origin: "https://routes.origin.test" });
    const capture = capturingQueue();
    const ids: number[] = [];
    for (const keys of [["a.png"], ["b.png", "c.png"], ["d.png"]]) {
      const res = await postJobWith({ JOBS: capture.queue }, { type: "backfill", source: s.id, keys });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { result: Job }).result.id);
    }
    const first = await admin("GET", "/jobs?limit=2&type=backfill");
    expect(first.body.result.map((j: Job) => j.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.result_info).toMatchObject({ count: 2, cursor: expect.any(String) });
    const second = await admin("GET", `/jobs?limit=2&type=backfill&cursor=${first.body.result_info!.cursor}`);
    expect(second.body.result.map((j: Job) => j.id)).toEqual([ids[0]]);
    expect(second.body.result_info!.cursor).toBeNull();
    expect((await admin("GET", "/jobs?state=queued")).body.result).toHaveLength(3);
    expect((await admin("GET", "/jobs?state=done")).body.result).toHaveLength(0);

    const one = await admin("GET", `/jobs/${ids[1]}`);
    expect(one.body.result).toEqual({
      id: ids[1],
      type: "backfill",
      state: "queued",
      stage: "items",
      total: 2,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      bytes: 0,
      params: { items: 2, source: s.id },
      output: {},
      error: null,
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
    });
    const page = await admin("GET", `/jobs/${ids[1]}/items?limit=1`);
    expect(page.body.result).toEqual([
      {
        id: expect.any(Number),
        ref: "1",
        line: 1,
        input: { source: s.id, key: "b.png" },
        state: "pending",
        attempts: 0,
        reason: null,
        error: null,
        result: null,
        bytes: null,
        updatedAt: expect.any(String),
      },
    ]);
    const rest = await admin("GET", `/jobs/${ids[1]}/items?limit=1&cursor=${page.body.result_info!.cursor}`);
    expect(rest.body.result.map((i: { input: { key: string } }) => i.input.key)).toEqual(["c.png"]);
    expect(rest.body.result_info!.cursor).toBeNull();
  });
});
