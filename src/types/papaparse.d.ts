// The part of papaparse's API the import uses. (@types/papaparse pulls in @types/node, whose
// timers and globals would leak into the Worker's type-check.)
declare module "papaparse" {
  export interface ParseError {
    type: string;
    code: string;
    message: string;
    row?: number;
  }
  export interface ParseMeta {
    delimiter: string;
    linebreak: string;
    aborted: boolean;
    truncated: boolean;
    cursor: number;
  }
  export interface ParseStepResult<T> {
    data: T;
    errors: ParseError[];
    meta: ParseMeta;
  }
  export interface ParseConfig<T> {
    delimiter?: string;
    skipEmptyLines?: boolean | "greedy";
    step?: (results: ParseStepResult<T>, parser: { abort(): void }) => void;
  }
  export function parse<T>(input: string, config: ParseConfig<T>): void;
  const Papa: { parse: typeof parse };
  export default Papa;
}
