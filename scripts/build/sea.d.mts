export declare function makeBlob(options: { node: string; main: string; dir: string; codeCache?: boolean }): Promise<string>;
export declare function makeExecutable(options: { node: string; blob: string; out: string; injector: string }): Promise<{ stripped: boolean; warnings: string[] }>;
