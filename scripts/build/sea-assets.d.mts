export declare const PROGRAM_ASSET: string;
export declare const PROGRAM_CACHE_ASSET: string;
export declare const BUNDLE_PARAMS: string[];
