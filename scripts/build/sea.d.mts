export declare function cleanEnv(): NodeJS.ProcessEnv;
export declare function makeExecutable(options: { node: string; blob: string; out: string; injector: string }): Promise<{ stripped: boolean; warnings: string[] }>;
