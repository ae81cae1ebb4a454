import type { Services } from '../../server/services.js';
import type { Installation } from '../../server/portals/installation-record.js';

/** What an emulated portal's installation gave Keycard (tokens with `expiresAt` in ms, as the emulator issues them). */
export interface InstallationGrant {
  memberId: string;
  host: string;
  clientEndpoint: string;
  scopes: readonly string[];
  tokens: { accessToken: string; refreshToken: string; expiresAt: number };
  applicationToken: string;
  /** Events and placements recorded as bound (default: the three events Keycard binds). */
  bound?: string[];
}

/**
 * Stores an installation as a verified installer run would have stored it, active, tokens sealed.
 * (Test and benchmark set-up; no nock here, so benchmark processes can import it.)
 */
export async function storeActiveInstallation(services: Services, grant: InstallationGrant): Promise<void> {
  const now = services.clock.now();
  const record: Installation = {
    memberId: grant.memberId,
    domain: grant.host,
    clientEndpoint: grant.clientEndpoint,
    state: 'active',
    scopes: [...grant.scopes],
    lang: 'en',
    bindings: { bound: grant.bound ?? ['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONUSERADD'], failed: [] },
    createdAt: now,
    updatedAt: now,
  };
  await services.installations.save(
    services.vault.seal(record, {
      accessToken: grant.tokens.accessToken,
      refreshToken: grant.tokens.refreshToken,
      expiresAt: Math.floor(grant.tokens.expiresAt / 1000),
      applicationToken: grant.applicationToken,
    }),
  );
}
