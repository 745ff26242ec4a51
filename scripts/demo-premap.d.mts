export declare const PREMAPPED_PATHS: readonly string[];
export declare function premapDemo(
  base: string,
  adminToken: string,
): Promise<{ url: string; source: string | null; key: string | null; status: string }[]>;
