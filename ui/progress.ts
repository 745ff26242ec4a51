import { api } from "./api";
import { bytes, count, h } from "./dom";
import { STATES, type SourceStats, type Stats } from "./types";

/**
 * Migration progress per source: a stacked bar of the mapping states, the counts, hits and bytes.
 * Every number carries its exact value in `data-value` (what is shown may be formatted).
 */
export async function loadStats(): Promise<Stats> {
  return (await api<Stats>("GET", "/stats")).result;
}

export function renderProgress(root: HTMLElement, stats: Stats): void {
  const cards = stats.sources.map((s) => sourceCard(s.source, s));
  if (cards.length === 0) cards.push(h("p", { class: "empty" }, "No sources yet."));
  if (stats.sources.length > 1) cards.push(sourceCard("All sources", { source: "(all)", ...stats.totals }));
  root.replaceChildren(...cards);
}

function sourceCard(title: string, s: SourceStats): HTMLElement {
  const m = s.mappings;
  const stat = (field: string, value: number, shown = count(value)) =>
    h("span", { class: "num", "data-source": s.source, "data-stat": field, "data-value": value }, shown);
  const pct = m.total ? Math.floor((m.ready / m.total) * 100) : 0;
  return h(
    "article",
    { class: "source", "data-source": s.source },
    h("h3", {}, title, h("span", { class: "pct" }, m.total ? `${pct} % ready` : "no mappings yet")),
    bar(m),
    h(
      "ul",
      { class: "legend" },
      ...STATES.map((state) =>
        h("li", {}, h("span", { class: `dot ${state}` }), `${state} `, stat(state, m[state])),
      ),
    ),
    h(
      "dl",
      { class: "totals" },
      h("div", {}, h("dt", {}, "mappings"), h("dd", {}, stat("total", m.total))),
      h("div", {}, h("dt", {}, "hits"), h("dd", {}, stat("hits", s.hits))),
      h(
        "div",
        {},
        h("dt", {}, "bytes ingested"),
        h("dd", {}, stat("bytesIngested", s.bytesIngested, bytes(s.bytesIngested))),
      ),
    ),
  );
}

/** Segments sized with CSSOM (allowed by the CSP, unlike style attributes). */
function bar(m: SourceStats["mappings"]): HTMLElement {
  const el = h("div", {
    class: "bar",
    role: "img",
    "aria-label": STATES.map((s) => `${s} ${m[s]}`).join(", "),
  });
  for (const state of STATES) {
    if (!m[state]) continue;
    const seg = h("span", { class: `seg ${state}`, title: `${state}: ${count(m[state])}` });
    seg.style.flexGrow = String(m[state]);
    el.append(seg);
  }
  return el;
}
