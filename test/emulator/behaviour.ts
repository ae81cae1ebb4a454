import type { EmulatorOptions, OAuthRegion } from './options.js';

/**
 * Where Bitrix24's sources disagree or say nothing, the emulator can take either shape; these are the choices of one
 * portal (see `EmulatorOptions` for each source). Tests may change them on `portal.behaviour`.
 */
export interface Behaviour {
  removedAppTokens: 'bitrix24' | 'unknown';
  tokenCacheMs: number;
  removedAppRefreshError: 'invalid_client' | 'NOT_INSTALLED';
  dropEventBindingsOnUpdate: boolean;
  oauthRegion: OAuthRegion;
  frameServerEndpoint: boolean;
  oauthAppInfoUserId: 'string' | 'number';
  insufficientScopeStatus: 401 | 403;
  plan: 'standard' | 'enterprise';
  selfHosted: boolean;
  paymentRequiredStatus: number;
  dialogCancel: 'answer' | 'silent';
}

export function behaviourFrom(options: EmulatorOptions): Behaviour {
  return {
    removedAppTokens: options.removedAppTokens ?? 'bitrix24',
    tokenCacheMs: (options.tokenCacheSeconds ?? 3600) * 1000,
    removedAppRefreshError: options.removedAppRefreshError ?? 'invalid_client',
    dropEventBindingsOnUpdate: options.dropEventBindingsOnUpdate ?? false,
    oauthRegion: options.oauthRegion ?? 'west',
    frameServerEndpoint: options.frameServerEndpoint ?? true,
    oauthAppInfoUserId: options.oauthAppInfoUserId ?? 'string',
    insufficientScopeStatus: options.insufficientScopeStatus ?? 401,
    plan: options.plan ?? 'standard',
    selfHosted: options.selfHosted ?? false,
    paymentRequiredStatus: options.paymentRequiredStatus ?? 401,
    dialogCancel: options.dialogCancel ?? 'answer',
  };
}

/** Base paths of the two OAuth servers the emulator serves. */
export const OAUTH_SERVER_PATHS: Readonly<Record<OAuthRegion, string>> = {
  west: '/oauth-server',
  east: '/oauth-server-east',
};
