import { expect, it } from 'vitest';
import type { Config } from '../../../server/config.js';

/*
 * Every logger a security test creates is registered here, and so is every secret it hands the app
 * (client secret, SECRET_KEY, OAuth tokens, application tokens, session JWTs, forged tokens). The last test
 * of each file scans everything logged in that file for every registered secret. (Vitest runs each file in
 * its own module scope, so "the suite" is scanned file by file.)
 */

const sinks: string[][] = [];
const secrets = new Set<string>();

/** Registers a secret that must never reach a log, and returns it. */
export function secret(value: string): string {
  // A short value could occur in a log by accident and make the scan flaky or meaningless.
  if (value.length < 12) throw new Error(`secret too short to scan for: ${value.length} characters`);
  secrets.add(value);
  return value;
}

/** Registers an app's captured log lines and the secrets of its configuration. */
export function watchLog(app: { logLines: string[]; services: { config: Config } }): void {
  sinks.push(app.logLines);
  secret(app.services.config.clientSecret);
  for (const key of app.services.config.secretKeys) secret(key);
}

/** Registers captured log lines that belong to no harness (the emulator stack). */
export function watchLines(lines: string[]): void {
  sinks.push(lines);
}

/**
 * Declares the file's final test: nothing logged contains a registered secret. It also requires that
 * something was logged, so the scan can never pass vacuously.
 */
export function itLogsNoSecrets(): void {
  it('logs none of the secrets used in this file (client secret, keys, tokens, application tokens, sessions)', () => {
    const lines = sinks.flat();
    const output = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(secrets.size).toBeGreaterThan(3);
    const leaked = [...secrets].filter((value) => output.includes(value));
    expect(leaked).toEqual([]);
  });
}
