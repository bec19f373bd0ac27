/** The small checks every guard of the protocol shares. No vscode and no Node modules: the webviews import them. */

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const isStr = (x: unknown): x is string => typeof x === 'string';
/** A finite number. */
export const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
export const isOptStr = (x: unknown): boolean => x === undefined || isStr(x);
/** A measurement: a finite number, or null where it was not finite. */
export const isNumOrNull = (x: unknown): boolean => x === null || isNum(x);
export const isNumArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);
