import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Cipher } from '../store/cipher.js';
import type { InstallationRepository } from './installation-repository.js';
import type { Installation } from './installation-record.js';
import { isInstalled } from './installation-state.js';
import { tokensSchema, type PortalTokens } from './portal-tokens.js';

type FixOutcome = 'resealed' | 'unreadable' | 'unchanged';

/** What re-sealing every installation did. */
export interface ResealReport {
  /** Installations looked at. */
  total: number;
  /** Re-sealed under the newest key. */
  resealed: number;
  /** Member ids of installations no configured key opens (now `needs_reinstall`). */
  unreadable: string[];
}

/**
 * A portal's tokens at rest: sealed under the newest SECRET_KEY, opened with any configured one. SECRET_KEY
 * rotates by putting the new key first: a record sealed under an older key is re-sealed the first time it is
 * read (and `resealAll` does every record at once, before the old key is dropped). A record no configured key
 * opens is not an error page: it counts as needing a reinstall — an administrator opening Keycard gives it fresh
 * tokens — and says so once in the log.
 */
export class SealedTokens {
  readonly #cipher: Cipher;
  readonly #installations: InstallationRepository;
  readonly #logger: Logger;
  readonly #clock: Clock;
  /** Records being re-sealed or marked by this process (one write each, whoever reads them meanwhile). */
  readonly #fixing = new Set<string>();
  /** Unreadable records already logged by this process (once each is enough). */
  readonly #reported = new Set<string>();

  constructor(deps: { cipher: Cipher; installations: InstallationRepository; logger: Logger; clock: Clock }) {
    this.#cipher = deps.cipher;
    this.#installations = deps.installations;
    this.#logger = deps.logger;
    this.#clock = deps.clock;
  }

  /** The record's tokens; undefined when it has none, or none a configured key opens (then it is marked). */
  open(installation: Installation): PortalTokens | undefined {
    const { secrets, memberId } = installation;
    if (secrets === undefined) return undefined;
    const tokens = this.#decrypt(installation);
    if (tokens === undefined) this.#fixLater(memberId, 'unreadable');
    else if (this.#cipher.isStale(secrets)) this.#fixLater(memberId, 'stale');
    return tokens;
  }

  /** Returns the record with `tokens` sealed into it (always under the newest key). */
  seal(installation: Installation, tokens: PortalTokens): Installation {
    return {
      ...installation,
      secrets: this.#cipher.seal(JSON.stringify(tokensSchema.parse(tokens)), installation.memberId),
    };
  }

  /**
   * Re-seals every installation sealed under an older key and marks those no key opens, reporting progress after
   * each; safe to run while Keycard serves (each record is rewritten under its lock).
   */
  async resealAll(onProgress: (done: number, total: number) => void = () => undefined): Promise<ResealReport> {
    const memberIds = Object.keys(await this.#installations.index());
    const report: ResealReport = { total: memberIds.length, resealed: 0, unreadable: [] };
    for (const [done, memberId] of memberIds.entries()) {
      const outcome = await this.#fix(memberId);
      if (outcome === 'resealed') report.resealed++;
      if (outcome === 'unreadable') report.unreadable.push(memberId);
      onProgress(done + 1, memberIds.length);
    }
    return report;
  }

  #decrypt(installation: Installation): PortalTokens | undefined {
    if (installation.secrets === undefined) return undefined;
    try {
      return tokensSchema.parse(JSON.parse(this.#cipher.open(installation.secrets, installation.memberId)));
    } catch {
      // No configured key opens it (dropped too early), or it was tampered with: either way it is unusable.
      return undefined;
    }
  }

  #fixLater(memberId: string, why: 'stale' | 'unreadable'): void {
    if (this.#fixing.has(memberId)) return;
    this.#fixing.add(memberId);
    this.#fix(memberId)
      .catch((error: unknown) => this.#logger.warn({ memberId, err: error, why }, 'sealed tokens not fixed yet'))
      .finally(() => this.#fixing.delete(memberId));
  }

  /** Re-seals a record under the newest key, or marks it `needs_reinstall` when no key opens it. */
  async #fix(memberId: string): Promise<FixOutcome> {
    const result: { outcome: FixOutcome } = { outcome: 'unchanged' };
    await this.#installations.update(memberId, (latest) => {
      if (latest?.secrets === undefined) return undefined;
      const tokens = this.#decrypt(latest);
      if (tokens === undefined) {
        result.outcome = 'unreadable';
        if (!isInstalled(latest)) return undefined;
        return { ...latest, state: 'needs_reinstall', updatedAt: this.#clock.now() };
      }
      if (!this.#cipher.isStale(latest.secrets)) return undefined;
      result.outcome = 'resealed';
      return this.seal(latest, tokens);
    });
    const { outcome } = result;
    if (outcome === 'unreadable' && !this.#reported.has(memberId)) {
      if (this.#reported.size > 10_000) this.#reported.clear();
      this.#reported.add(memberId);
      this.#logger.error(
        { memberId },
        'no configured SECRET_KEY opens this installation’s tokens: it needs an administrator to open Keycard',
      );
    }
    return outcome;
  }
}
