export declare function makeBlob(options: { node: string; front: string; program: string; dir: string; codeCache?: boolean }): Promise<string>;
