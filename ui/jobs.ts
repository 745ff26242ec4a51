import { ApiFailure, api, describeError } from "./api";
import { count, h, when } from "./dom";
import type { Job } from "./types";

/**
 * Jobs (SPEC "Jobs") with live progress: reloaded every few seconds while one is queued or
 * running. A gateway without the jobs routes (404, code 1001) says so once and is not polled.
 */
const POLL_MS = 2000;
const ROUTE_NOT_FOUND = 1001;
let timer: ReturnType<typeof setTimeout> | undefined;

export function stopJobs(): void {
  clearTimeout(timer);
  timer = undefined;
}

export async function loadJobs(root: HTMLElement): Promise<void> {
  stopJobs();
  let jobs: Job[];
  try {
    jobs = (await api<Job[]>("GET", "/jobs?limit=20")).result;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404 && err.code === ROUTE_NOT_FOUND) {
      root.replaceChildren(
        h("p", { class: "empty", "data-jobs": "unavailable" }, "Jobs are not available on this gateway."),
      );
    } else {
      root.replaceChildren(h("p", { class: "message error" }, `Could not load jobs: ${describeError(err)}`));
    }
    return;
  }
  root.replaceChildren(
    jobs.length
      ? h("ul", { class: "jobs" }, ...jobs.map(jobRow))
      : h("p", { class: "empty" }, "No jobs yet."),
  );
  if (jobs.some((j) => j.state === "queued" || j.state === "running")) {
    timer = setTimeout(() => void loadJobs(root), POLL_MS);
  }
}

function jobRow(j: Job): HTMLElement {
  const settled = j.succeeded + j.failed + j.skipped;
  return h(
    "li",
    { class: "job", "data-job": j.id, "data-state": j.state },
    h("span", { class: "job-title" }, h("strong", {}, j.type), ` ${j.id}`),
    h("span", { class: `badge ${j.state}` }, j.state),
    h("progress", { max: Math.max(j.total, 1), value: settled, "aria-label": `${j.type} ${j.id} progress` }),
    h(
      "span",
      { class: "meta" },
      `${count(settled)} / ${count(j.total)} settled · ${count(j.succeeded)} succeeded · ${count(j.failed)} failed · ${count(j.skipped)} skipped · created ${when(j.createdAt)}`,
    ),
  );
}
