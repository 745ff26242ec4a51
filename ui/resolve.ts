import { api, describeError } from "./api";
import { h } from "./dom";
import type { Resolution } from "./types";

/**
 * The resolve box: a legacy URL → POST /_admin/resolve (a dry run) → what a GET would do, where it
 * would send the browser, and the image itself when it is mapped.
 */
export async function resolveUrl(root: HTMLElement, url: string): Promise<void> {
  root.replaceChildren(h("p", { class: "empty" }, "Resolving…"));
  let r: Resolution;
  try {
    r = (await api<Resolution>("POST", "/resolve", { url })).result;
  } catch (err) {
    root.replaceChildren(h("p", { class: "message error", role: "alert" }, describeError(err)));
    return;
  }
  const rows: [string, Node | string][] = [
    ["decision", h("span", { class: `badge ${r.action}`, "data-action": r.action }, r.action)],
    ["source", r.source ?? "—"],
    ["key", r.key === null ? "—" : h("code", {}, r.key)],
    ["variant", r.variant ?? "—"],
    ["options", Object.keys(r.options).length ? h("code", {}, JSON.stringify(r.options)) : "none"],
    ["mapping", r.mapping ? `#${r.mapping.id} · ${r.mapping.state}` : "not mapped"],
    [
      "Location",
      r.location ? h("a", { href: r.location, class: "location", rel: "noreferrer" }, r.location) : "—",
    ],
  ];
  if (r.dropped?.length) {
    rows.push(["not carried over", r.dropped.map((d) => `${d.param} (${d.reason})`).join(", ")]);
  }
  const parts: Node[] = [
    h("dl", { class: "resolution" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
  ];
  if (r.error) {
    parts.push(
      h(
        "p",
        { class: "message error", "data-error-code": r.error.code },
        `${r.error.code}: ${r.error.message}`,
      ),
    );
  }
  if (r.action === "redirect" && r.location) parts.push(preview(r.location));
  else if (r.action === "ingest")
    parts.push(note("Not migrated yet: the first GET ingests it from the origin."));
  else if (r.action === "redirect-origin") parts.push(note("Not migrated now: a GET is sent to the origin."));
  root.replaceChildren(...parts);
}

function preview(location: string): HTMLElement {
  const status = h("p", { class: "empty" }, "Loading the image…");
  const img = h("img", { src: location, alt: "The image this URL redirects to", class: "preview" });
  img.addEventListener("load", () => status.remove());
  img.addEventListener("error", () => {
    status.textContent = "The image at this Location could not be loaded.";
    status.className = "message error";
  });
  return h("figure", { class: "preview-box" }, img, status);
}

const note = (text: string) => h("p", { class: "empty" }, text);
