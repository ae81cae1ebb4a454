import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ForbiddenError } from '../errors.js';

/**
 * Addresses a portal must not resolve to unless the operator listed its host: loopback, private, link-local
 * (the cloud metadata service at 169.254.169.254 among them), carrier-grade NAT, "this network", multicast and
 * reserved ranges — a host named in a request (or vouched for by a compromised peer) must not make Keycard
 * call into its own network.
 */
const notPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address (v4, v6, or v4 mapped into v6) is on the public internet. */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return isPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  return !notPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A DNS lookup for sockets to portals: every address a name resolves to must be public, unless the operator
 * listed the host. Checked when the connection is made, so a name that changes its answer later (DNS
 * rebinding) is caught too.
 */
export function publicOnlyLookup(listed: (hostname: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, '', 0);
      const refused = !listed(hostname) && addresses.some((entry) => !isPublicAddress(entry.address));
      if (refused) {
        return callback(new ForbiddenError('PORTAL_NOT_ALLOWED', 'This Bitrix24 address is not a public one.'), '', 0);
      }
      if (options.all === true) return (callback as (err: null, all: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (first === undefined) return callback(new Error(`${hostname} has no address`), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

/** HTTP agents for portal calls with the public-address lookup (keep-alive, as the SDK's client would). */
export function portalAgents(listed: (hostname: string) => boolean): { http: HttpAgent; https: HttpsAgent } {
  const lookup = publicOnlyLookup(listed);
  return { http: new HttpAgent({ keepAlive: true, lookup }), https: new HttpsAgent({ keepAlive: true, lookup }) };
}
