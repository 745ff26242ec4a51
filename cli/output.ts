import cliProgress from "cli-progress";

/**
 * What the CLI prints. Results go to stdout (a table or a summary for people, one JSON document
 * with `--json`); progress and retries go to stderr, so `list … > urls.txt` and `--json | jq` stay
 * clean. On a terminal the progress is a live bar; elsewhere a line every few seconds.
 */
export interface Output {
  json: boolean;
  /** Prints a result: `human()` for people, `data` as JSON with --json. */
  result(data: unknown, human: () => string): void;
  /** A note for people on stderr (suppressed with --json). */
  note(message: string): void;
  progress(label: string, unit: string, total: number): Progress;
}

export interface Progress {
  update(done: number, extra?: { total?: number; detail?: string }): void;
  stop(): void;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${fmt(v, i === 0 ? 0 : 1)} ${units[i]}`;
}

/** 42 s, 3m 20s, 1h 05m. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) =>
    columns.map((c) => (r[c] === null || r[c] === undefined ? "—" : String(r[c]))),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (/^-?[\d,.]+( \w+)?$/.test(v) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ");
  return [line(columns), line(widths.map((w) => "─".repeat(w))), ...cells.map(line)]
    .join("\n")
    .replace(/ +$/gm, "");
}

export function createOutput(json: boolean): Output {
  const tty = Boolean(process.stderr.isTTY);
  return {
    json,
    result(data, human) {
      process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human()}\n`);
    },
    note(message) {
      if (!json) process.stderr.write(`${message}\n`);
    },
    progress(label, unit, total) {
      if (json) return { update() {}, stop() {} };
      const bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {left}{detail}`,
          barsize: 24,
          hideCursor: tty,
          stream: process.stderr,
          noTTYOutput: !tty,
          notTTYSchedule: 2000,
          etaBuffer: 50,
          formatValue: (v, _o, type) => (type === "value" || type === "total" ? fmt(Number(v)) : String(v)),
        },
        cliProgress.Presets.shades_classic,
      );
      const started = Date.now();
      let last = 0;
      let max = Math.max(total, 1);
      bar.start(max, 0, { rate: "0", left: "—", detail: "" });
      return {
        update(done, extra = {}) {
          if (extra.total !== undefined) bar.setTotal((max = Math.max(extra.total, 1)));
          const seconds = (Date.now() - started) / 1000;
          const rate = seconds > 0 ? done / seconds : 0;
          last = done;
          bar.update(done, {
            rate: fmt(rate),
            left: rate > 0 ? duration((max - done) / rate) : "—",
            detail: extra.detail ? ` | ${extra.detail}` : "",
          });
        },
        stop() {
          bar.update(last);
          bar.stop();
        },
      };
    },
  };
}
