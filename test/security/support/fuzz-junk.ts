import fc from 'fast-check';
import { expect } from 'vitest';
import { ancestorsForPatterns } from '../../../server/http/frame-headers.js';
import { liveSession, type Model } from './fuzz-model.js';
import { beginStep, expectErrorBody, expectNoSecrets, tally } from './fuzz-step.js';
import type { FuzzWorld } from './fuzz-world.js';
import { frameAncestors } from './frames.js';
import { junkRequest, OVERSIZED, OVERSIZED_BODY, TAMPERED, type JunkRequest } from './junk-requests.js';
import { secret } from './log-scan.js';

/**
 * A hostile request without any valid credential (junk-requests.ts): answered below 500 with a readable page or an
 * error body, and it changes nothing, asks no portal anything and takes nothing from any budget.
 */
export class JunkCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(readonly request: JunkRequest) {}

  check(): boolean {
    return true;
  }

  toString(): string {
    return `junk(${JSON.stringify({ ...this.request, body: this.request.body?.slice(0, 500) })})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const { token } = await liveSession(world, model, 'acme', 1);
    const [header, , signature] = token.split('.');
    const claims = {
      sub: '1',
      mid: world.portals.globex.memberId,
      adm: true,
      lang: 'en',
      name: 'x',
      exp: 9_999_999_999,
    };
    const tampered = secret(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`);
    const events = this.request.kind === 'events';
    const fill = (text: string) => {
      const filled = text.replaceAll(TAMPERED, tampered);
      return events ? filled.replaceAll(world.portals.acme.memberId, 'member-nobody') : filled;
    };
    const body = this.request.body === OVERSIZED ? OVERSIZED_BODY : this.request.body;
    const res = await world.send({
      method: this.request.method,
      path: fill(this.request.path),
      headers: Object.fromEntries(Object.entries(this.request.headers).map(([name, value]) => [name, fill(value)])),
      ...(body === undefined ? {} : { body: fill(body) }),
    });
    const what = `${label} → ${res.status} ${res.text.slice(0, 300)}`;
    tally(`junk ${this.request.kind}`, res.status, undefined);
    expect(res.status, what).toBeGreaterThanOrEqual(200);
    expect(res.status, what).toBeLessThan(500);
    if (this.request.kind === 'install' || this.request.kind === 'app') {
      expect(res.type, what).toBe('text/html');
      expect([ancestorsForPatterns(world.services.hosts), [world.portals.acme.origin]], what).toContainEqual(
        frameAncestors(res),
      );
      expect(res.headers['x-frame-options'], what).toBeUndefined();
      expect(res.text, what).not.toContain('keycard-bootstrap');
    } else if (this.request.method !== 'HEAD' && res.status >= 400) {
      expectErrorBody(res, what);
    }
    expectNoSecrets(world, model, res, label);
    // Events may name a trusted OAuth server and a forged token: asking it is fine, believing it is not.
    await step.end(model, { writes: [], oauthCalls: 'any' });
  }
}

export const junkCommand = junkRequest.map((request) => new JunkCommand(request));
