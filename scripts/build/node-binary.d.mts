export declare const NODE_VERSION: string;
export declare const ARCHES: string[];
export declare function nodeBinary(arch: string, cacheDir: string): Promise<{ bin: string; fetched: boolean }>;
export declare function integrity(file: string): Promise<string>;
