import { Writable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../../server/logger.js';
import { builtUi } from '../../stack/built-ui.js';
import { startStack, type Stack, type StackOptions } from '../../stack/start-stack.js';
import { launchChromium } from './browser.js';
import { switchableUsers, type SwitchableUser } from './portal-page.js';

/** What an e2e file's steps share: the app and emulator, Chromium on the portal page, the captured log. */
export interface PortalSession {
  stack: Stack;
  browser: Browser;
  page: Page;
  users: SwitchableUser[];
  /** Every app log line of the run. */
  logLines: string[];
  /** Every alert/confirm page content opened: hostile names in the company must stay inert text. */
  dialogs: string[];
  /** `beforeunload` prompts the browser showed (dismissed: the page stays), kept apart from `dialogs`. */
  beforeUnload: number;
}

/**
 * Starts the stack (built UI, emulator with `emulator` options) and Chromium on the portal page before the
 * file's steps, stops both after. The returned object is filled in by `beforeAll`.
 */
export function portalSession(emulator: NonNullable<StackOptions['emulator']>): PortalSession {
  const session = { logLines: [], dialogs: [], beforeUnload: 0 } as unknown as PortalSession;
  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        session.logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    session.stack = await startStack({
      logger: createLogger({ level: 'info', destination }),
      ui: await builtUi(),
      emulator,
    });
    session.browser = await launchChromium();
    session.page = await session.browser.newPage({ viewport: { width: 1360, height: 1000 } });
    session.page.on('dialog', (dialog) => {
      if (dialog.type() === 'beforeunload') session.beforeUnload += 1;
      else session.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await session.page.goto(session.stack.portalUrl);
    session.users = await switchableUsers(session.page, session.stack.portalUrl);
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.stack?.close();
  });
  return session;
}

/** The checks every e2e file ends with: no script ran from page content, no failure logged. */
export function cleanRunChecks(session: PortalSession): void {
  it('ran no script smuggled in through names (no dialog opened)', () => {
    expect(session.dialogs).toEqual([]);
  });

  it('logged no failure of its own along the way', () => {
    const failures = session.logLines.filter((line) => /"level":(50|60)/.test(line));
    expect(failures).toEqual([]);
  });
}
