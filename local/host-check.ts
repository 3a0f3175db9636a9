import { isIP } from 'node:net';

/**
 * DNS rebinding guard for the twin. A web page on evil.example can make its own name resolve to
 * 127.0.0.1 and then call the twin from the victim's browser as a same-origin request: mint admin
 * tokens at /local/token, read and write the API. The browser still sends `Host: evil.example`, so the
 * twin answers only requests whose Host names it: loopback names and addresses, the address it was
 * bound to, and names listed in VENTROOM_ALLOWED_HOSTS (comma-separated, e.g. a LAN name for a phone).
 * IP literals are safe from rebinding (nothing resolves), so a twin bound to all interfaces
 * (HOST=0.0.0.0, for devices on the LAN) also answers any IP literal.
 */
export interface HostPolicy {
  allows(hostHeader: string | undefined): boolean;
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]']);

/** The hostname of a Host header: port stripped, IPv6 brackets removed, lower case. */
export function hostnameOf(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address (no port).
  if (colon !== -1 && host.indexOf(':') === colon) return host.slice(0, colon);
  return host;
}

function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  return hostname === '::1';
}

export function hostPolicy(bindHost: string, allowedHosts: readonly string[] = []): HostPolicy {
  const bound = hostnameOf(bindHost);
  const wildcard = WILDCARD_BINDS.has(bindHost) || WILDCARD_BINDS.has(bound);
  const allowed = new Set([bound, ...allowedHosts.map((host) => hostnameOf(host)).filter(Boolean)]);
  return {
    allows(hostHeader) {
      // HTTP/1.0 clients and raw sockets send no Host; a browser always does.
      if (hostHeader === undefined || hostHeader === '') return true;
      const hostname = hostnameOf(hostHeader);
      return isLoopback(hostname) || allowed.has(hostname) || (wildcard && isIP(hostname) !== 0);
    },
  };
}

/** The answer to a request for another host: 421 Misdirected Request, in the DRF error shape. */
export const MISDIRECTED = { status: 421, body: { detail: 'This server does not answer for that host name.' } } as const;
