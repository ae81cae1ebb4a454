import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { createLogger } from '../../server/logger.js';
import type { FrameLaunch } from '../emulator/control/frame.js';
import { startStack, type Stack, type StackOptions } from '../stack/start-stack.js';
import { UI_TEMPLATE } from './harness.js';

/**
 * Keycard and the portal emulator on loopback, driven the way a person drives them, without a browser: the
 * portal page's own endpoints (`/_emulator/…`, as a chosen user) produce the installer and app frame POSTs, which
 * are sent to Keycard as the portal page would send them. Events travel over real HTTP.
 */
export interface EmulatedPortal {
  stack: Stack;
  logLines: string[];
  /** A portal page endpoint as user `userId` (default the admin, user 1). */
  control<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    userId?: number,
  ): Promise<{ status: number; body: T }>;
  /** Opens Keycard as `userId`: the frame POST Bitrix24 sends, answered by Keycard (`headers` added to it). */
  open(userId?: number, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  /** The frame POST Bitrix24 would send for `userId` (not sent). */
  launch(userId?: number): Promise<FrameLaunch>;
  /** Sends a frame POST to Keycard. */
  post(launch: FrameLaunch, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  /** Installs Keycard as the admin and finishes the installation; resolves once the events have landed. */
  install(): Promise<void>;
  /** Waits for Keycard's background work and the emulator's event deliveries. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function emulatedPortal(
  emulator: StackOptions['emulator'] = {},
  env: Record<string, string> = {},
  /** The UI Keycard serves; a bare template unless a benchmark needs the built one. */
  ui: StackOptions['ui'] = { template: UI_TEMPLATE },
): Promise<EmulatedPortal> {
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const stack = await startStack({
    logger: createLogger({ level: 'info', destination }),
    ui,
    emulator: { company: { users: 60, seed: 11 }, ...emulator },
    env,
  });

  const control: EmulatedPortal['control'] = async (path, body, userId = 1) => {
    const res = await fetch(`${stack.portalUrl}_emulator/${path}`, {
      method: body === undefined && path.startsWith('state') ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', cookie: `em_user=${userId}` },
      ...(body === undefined && path.startsWith('state') ? {} : { body: JSON.stringify(body ?? {}) }),
    });
    return { status: res.status, body: (await res.json()) as never };
  };

  const post = async (launch: FrameLaunch, headers: Record<string, string> = {}) => {
    const url = new URL(launch.url);
    for (const [name, value] of Object.entries(launch.query)) url.searchParams.set(name, value);
    const res = await fetch(url, { method: 'POST', body: new URLSearchParams(launch.body), headers });
    return { status: res.status, text: await res.text() };
  };

  const settle = async () => {
    await stack.emulator.flushEvents();
    await stack.background.idle();
    await stack.emulator.flushEvents();
  };

  return {
    stack,
    logLines,
    control,
    settle,
    async launch(userId = 1) {
      const launch = await control<FrameLaunch>('open', {}, userId);
      expect(launch.status, JSON.stringify(launch.body)).toBe(200);
      return launch.body;
    },
    post,
    async open(userId = 1, headers = {}) {
      const launch = await control<FrameLaunch>('open', {}, userId);
      expect(launch.status, JSON.stringify(launch.body)).toBe(200);
      const answer = await post(launch.body, headers);
      await settle();
      return answer;
    },
    async install() {
      const launch = await control<FrameLaunch>('install');
      expect(launch.status, JSON.stringify(launch.body)).toBe(200);
      const installer = await post(launch.body);
      expect(installer.status, installer.text.slice(0, 500)).toBe(200);
      expect((await control('install-finish')).status).toBe(200);
      await settle();
    },
    close: () => stack.close(),
  };
}
