/**
 * The Keycard contender: our DirectoryService full sync through our SDK-backed client, with the per-portal
 * rate budget running on the same accelerated clock as the emulator, into an in-memory store.
 */
import { Keyv } from 'keyv';
import { RateBudgets } from '../../server/bitrix/rate-budgets.js';
import { createSdkClientFactory } from '../../server/bitrix/sdk-client.js';
import { createStandaloneDirectory } from './standalone-directory.js';
import type { ContenderInput } from './sync-contenders.js';

export async function keycardSync(input: ContenderInput): Promise<{ users: number; departments: number }> {
  const origin = Date.now();
  const clock = { now: () => origin + (Date.now() - origin) * input.speed };
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / input.speed));
  const budgets = new RateBudgets({ clock, sleep });
  const factory = createSdkClientFactory({
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    budgets,
  });
  const client = factory({
    memberId: input.memberId,
    clientEndpoint: `${input.portalUrl}/rest/`,
    accessToken: input.accessToken,
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
  });
  const { directory, memberId } = createStandaloneDirectory({
    client,
    store: new Keyv({ store: new Map(), throwOnErrors: true }),
    memberId: input.memberId,
    clock,
    budget: budgets.forPortal(input.memberId),
  });
  const report = await directory.runSync(memberId, 'manual');
  return { users: report.users, departments: report.departments };
}
