import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: handler entries in the manifest are relative to it. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
