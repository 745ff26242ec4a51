import { api, describeError } from "./api";
import { count, h, say, when } from "./dom";
import type { Mapping, Stats } from "./types";

/**
 * Failures by source: failed ingest attempts by reason (from stats), then the mappings that are
 * `failed` now, grouped by reason, each with a retry button for an admin token.
 */
const PAGE = 50;

export interface FailuresContext {
  canWrite: boolean;
  message: HTMLElement;
  /** Reloads everything after a retry changed a mapping. */
  refresh: () => Promise<void>;
}

export async function renderFailures(root: HTMLElement, stats: Stats, ctx: FailuresContext): Promise<void> {
  const failing = stats.sources.filter(
    (s) => s.mappings.failed > 0 || Object.values(s.failures).some((n) => n > 0),
  );
  if (failing.length === 0) {
    root.replaceChildren(h("p", { class: "empty" }, "Nothing is failing."));
    return;
  }
  const blocks = await Promise.all(failing.map((s) => sourceFailures(s.source, s.failures, ctx)));
  root.replaceChildren(...blocks);
}

async function sourceFailures(
  source: string,
  reasons: Record<string, number>,
  ctx: FailuresContext,
): Promise<HTMLElement> {
  const list = h("div", { class: "failing" });
  const block = h(
    "article",
    { class: "source-failures", "data-source": source },
    h("h3", {}, source),
    h(
      "p",
      { class: "reasons" },
      "Failed attempts by reason: ",
      ...Object.entries(reasons)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => h("span", { class: "chip", "data-reason": reason }, `${reason} × ${count(n)}`)),
    ),
    list,
  );
  await loadPage(list, source, null, ctx);
  return block;
}

/** One page of failed mappings, appended to the list; a "Show more" button when more follow. */
async function loadPage(list: HTMLElement, source: string, cursor: string | null, ctx: FailuresContext) {
  const q = new URLSearchParams({ source, state: "failed", limit: String(PAGE) });
  if (cursor) q.set("cursor", cursor);
  try {
    const { result, info } = await api<Mapping[]>("GET", `/mappings?${q}`);
    for (const m of result) groupFor(list, m.failureReason ?? "unknown").append(row(m, ctx));
    if (list.childElementCount === 0) list.append(h("p", { class: "empty" }, "No mapping is failed now."));
    if (info?.cursor) {
      const more = h("button", { type: "button", class: "more" }, "Show more");
      more.addEventListener("click", () => {
        more.remove();
        void loadPage(list, source, info.cursor, ctx);
      });
      list.append(more);
    }
  } catch (err) {
    list.append(h("p", { class: "message error" }, `Could not list failed mappings: ${describeError(err)}`));
  }
}

function groupFor(list: HTMLElement, reason: string): HTMLElement {
  const existing = list.querySelector<HTMLElement>(`ul[data-reason="${CSS.escape(reason)}"]`);
  if (existing) return existing;
  const ul = h("ul", { class: "mappings", "data-reason": reason });
  list.append(h("h4", {}, reason), ul);
  return ul;
}

function row(m: Mapping, ctx: FailuresContext): HTMLElement {
  const li = h(
    "li",
    { class: "mapping", "data-mapping": m.id },
    h("code", { class: "key" }, m.key),
    h("span", { class: "last-error" }, m.lastError ?? ""),
    h(
      "span",
      { class: "meta" },
      `#${m.id} · ${m.attempts} attempt${m.attempts === 1 ? "" : "s"} · next automatic retry ${when(m.retryAt)}`,
    ),
  );
  if (ctx.canWrite) {
    const button = h("button", { type: "button", class: "retry", "data-retry": m.id }, "Retry now");
    button.addEventListener("click", () => void retry(m, button, ctx));
    li.append(button);
  }
  return li;
}

async function retry(m: Mapping, button: HTMLButtonElement, ctx: FailuresContext): Promise<void> {
  button.disabled = true;
  button.textContent = "Retrying…";
  try {
    const { result } = await api<Mapping>("POST", `/mappings/${m.id}/retry`);
    const outcome =
      result.state === "ready"
        ? `is now ready (image ${result.imageId})`
        : `is ${result.state} again: ${result.lastError ?? "no reason given"}`;
    say(
      ctx.message,
      `Retried ${m.source}/${m.key}: it ${outcome}.`,
      result.state === "ready" ? "ok" : "error",
    );
    await ctx.refresh();
  } catch (err) {
    say(ctx.message, `Retry of ${m.source}/${m.key} failed: ${describeError(err)}`);
    button.disabled = false;
    button.textContent = "Retry now";
  }
}
