/** Types of eslint.boundaries.js for the tests that read it. */
export declare const TOP_FOLDERS: string[];
export declare const ALLOWED_IMPORTS: Record<string, string[]>;
export declare function boundaryRules(): object[];
