import { IAM_CALLS_DIR_VARIABLE } from '../local/aws-call-recorder.ts';
import { startTwin, TwinStartError } from '../local/twin.ts';

/**
 * `npm start`: the whole API offline. PORT (HTTP, default 3000), WS_PORT (WebSocket, default 3001)
 * and VENTROOM_DATA_DIR (default .ventroom/, kept across restarts) configure it;
 * VENTROOM_DELIVERY_COPIES=N (default 1) delivers every queue message N times (fault injection);
 * VENTROOM_WS_DISCONNECT_DROP_RATE (0 to 1) drops that share of `$disconnect`s and
 * VENTROOM_CONNECTIONS_RATE=N answers `@connections` calls above N a second with 429.
 */
function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, got "${raw}"`);
    process.exit(2);
  }
  return port;
}

/** A small positive integer setting (fault injection knobs); absent means `fallback`. */
function countFrom(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

function optionalCount(name: string): number | undefined {
  return process.env[name] ? countFrom(name, 1, 24 * 3600 * 1000) : undefined;
}

/** A share from 0 to 1 (a fault injection rate); absent means none. */
function shareFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const share = Number(raw);
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    console.error(`${name} must be a number from 0 to 1, got "${raw}"`);
    process.exit(2);
  }
  return share;
}

async function main() {
  const dataDir = process.env.VENTROOM_DATA_DIR || '.ventroom';
  const retryDelay = process.env.VENTROOM_RETRY_DELAY_SECONDS;
  const twin = await startTwin({
    port: portFrom('PORT', 3000),
    wsPort: portFrom('WS_PORT', 3001),
    // ":memory:" keeps nothing across restarts (tests).
    dataDir: dataDir === ':memory:' ? null : dataDir,
    host: process.env.HOST || '127.0.0.1',
    // Names (besides loopback and HOST) a browser may reach the twin by, e.g. a LAN name for a phone.
    allowedHosts: (process.env.VENTROOM_ALLOWED_HOSTS ?? '').split(',').map((name) => name.trim()).filter(Boolean),
    retryDelaySeconds: retryDelay ? Number(retryDelay) : undefined,
    // Fault injection for tests: every SQS message handed to its worker this many times (SQS is at-least-once).
    deliveryCopies: countFrom('VENTROOM_DELIVERY_COPIES', 1, 10),
    // For load tests on a saturated machine: every function's timeout this many times longer.
    timeoutScale: countFrom('VENTROOM_TIMEOUT_SCALE', 1, 10),
    // For client tests: API Gateway's 10-minute idle close and 2-hour cap, in milliseconds.
    wsIdleTimeoutMs: optionalCount('VENTROOM_WS_IDLE_TIMEOUT_MS'),
    wsMaxDurationMs: optionalCount('VENTROOM_WS_MAX_DURATION_MS'),
    // Where clients get hurt in production: $disconnect is best effort, @connections is throttled.
    wsDisconnectDropRate: shareFrom('VENTROOM_WS_DISCONNECT_DROP_RATE'),
    connectionsRatePerSecond: optionalCount('VENTROOM_CONNECTIONS_RATE'),
    // Set by the test run: the least-privilege check (test/iam) reads what every function called.
    recordIamCallsTo: process.env[IAM_CALLS_DIR_VARIABLE] || undefined,
  });
  if (process.env.VENTROOM_READY_JSON === '1') {
    // For a parent process (the test suite): everything it needs to talk to this twin, on one line.
    const { issuer: _issuer, drain: _drain, stop: _stop, connectionCount: _count, ...info } = twin;
    console.log(`VENTROOM_READY ${JSON.stringify(info)}`);
  }
  console.log(`Vent Room offline twin ready
  HTTP API   ${twin.httpUrl}/api/ventroom/posts/
  WebSocket  ${twin.wsUrl}/?token=<token>
  Health     ${twin.httpUrl}/local/health
  Tokens     POST ${twin.httpUrl}/local/token {"display_name": "Ada"}
Press Ctrl-C to stop.`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (process.env.VENTROOM_READY_JSON !== '1') console.log(`\n${signal}: stopping...`);
    await twin.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof TwinStartError) console.error(`Cannot start: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
