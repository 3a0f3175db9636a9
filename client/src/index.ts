export * from './errors.ts';
export * from './http.ts';
export * from './realtime.ts';
export type * from './generated/api-types.ts';
export { operationIds } from './generated/api-types.ts';
