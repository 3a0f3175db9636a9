import { afterEach } from 'vitest';
import { pendingViolations } from './contract.ts';

/** Fails the test during which a WebSocket frame did not match docs/api/asyncapi.json (see ws.ts). */
afterEach(() => {
  const violations = pendingViolations.splice(0);
  if (violations.length > 0) throw new AggregateError(violations, `${violations.length} WebSocket frame(s) broke the API description: ${violations.map((v) => v.message).join('\n')}`);
});
