export declare function makeFront(options: { absWorkingDir: string; out: string; work: string; version?: string; releaseKey?: string }): Promise<string>;
