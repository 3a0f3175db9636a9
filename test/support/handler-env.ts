import { inject } from 'vitest';
import { IAM_CALLS_DIR_VARIABLE } from '../../local/aws-call-recorder.ts';
import { workerTwin } from './worker-twin.ts';

// Integration tests import repositories and domain modules directly: give them the twin's
// configuration before those modules load (they read it once, as at a Lambda cold start).
Object.assign(process.env, workerTwin().handlerEnv);
// Handlers invoked in this process (lambda-events.ts) and twins it starts record their AWS calls.
process.env[IAM_CALLS_DIR_VARIABLE] = inject('iamCallsDir');
