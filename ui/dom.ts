/** A few DOM helpers. Text goes in through textContent only: nothing from the API becomes markup. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "number" ? String(child) : child);
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** Shows a message in a panel's message line (`kind` error or ok), or hides it for null. */
export function say(el: HTMLElement, text: string | null, kind: "error" | "ok" = "error"): void {
  el.textContent = text ?? "";
  el.hidden = text === null;
  el.classList.toggle("error", kind === "error");
  el.classList.toggle("ok", kind === "ok");
}

export const count = (n: number) => n.toLocaleString("en-US");

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");
