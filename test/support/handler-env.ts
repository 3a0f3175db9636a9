import { inject } from 'vitest';

// Integration tests import repositories and domain modules directly: give them the twin's
// configuration before those modules load (they read it once, as at a Lambda cold start).
Object.assign(process.env, inject('twin').handlerEnv);
