import { z } from 'zod';
import { subjectOf, type AccessService } from '../access/access-service.js';
import type { AppAdmins } from '../access/app-admins.js';
import type { BackgroundTasks } from '../background.js';
import type { Logger } from '../logger.js';
import type { InstallationRepository } from '../portals/installation-repository.js';
import type { PortalClients } from '../portals/portal-clients.js';
import type { AccessRequest } from './access-request.js';

/** People notified of one request at most (admins first, then delegates). */
export const MAX_RECIPIENTS = 20;

/** Characters of the requester's message quoted in a notification. */
const QUOTED = 200;

/** Notification texts, in the portal's language (the installation's `lang`; anything but ru reads English). */
const TEXTS = {
  en: {
    asks: (name: string) => `${name} asks for access to Keycard.`,
    review: 'Review the request',
    where: 'Open Keycard › Access settings › Requests.',
    approved: (by: string) => `${by} approved your request: open Keycard again to use it.`,
    declined: (by: string, reason: string) => `${by} declined your request for access to Keycard: ${reason}`,
  },
  ru: {
    asks: (name: string) => `${name} просит доступ к Keycard.`,
    review: 'Посмотреть запрос',
    where: 'Откройте Keycard › Настройки доступа › Запросы.',
    approved: (by: string) => `${by} одобрил(а) ваш запрос: откройте Keycard снова.`,
    declined: (by: string, reason: string) => `${by} отклонил(а) ваш запрос доступа к Keycard: ${reason}`,
  },
} as const;

function textsFor(lang: string | undefined): (typeof TEXTS)['en' | 'ru'] {
  return lang === 'ru' ? TEXTS.ru : TEXTS.en;
}

/** What notifying needs: the installation's connection and whom to tell. */
export interface NotifierDeps {
  installations: Pick<InstallationRepository, 'get'>;
  clients: Pick<PortalClients, 'forPortal'>;
  appAdmins: Pick<AppAdmins, 'list'>;
  access: Pick<AccessService, 'context'>;
  background: Pick<BackgroundTasks, 'run'>;
  logger: Logger;
}

const appInfoSchema = z.object({ CODE: z.string().optional(), ID: z.union([z.string(), z.number()]).optional() });

/**
 * Bitrix24 notifications about access requests: `im.notify.system.add` (scope `im`; the text becomes
 * "<app name>#BR#<MESSAGE>", BB codes allowed; a notification with the same TAG replaces the earlier one —
 * api-reference/chats/notifications/im-notify-system-add.md). Sent with the installation's connection, after the
 * answer; a failure is logged and never reaches the person who filed or decided. Without the `im` scope nothing is
 * sent (the requests still show in the app, with their count).
 */
export class RequestNotifier {
  readonly #deps: NotifierDeps;
  /** The app's code per portal (`app.info` CODE): the link `/marketplace/view/<CODE>/` opens Keycard. */
  readonly #codes = new Map<string, string>();
  /** Portals already logged as lacking the `im` scope (one line each per process). */
  readonly #noScopeLogged = new Set<string>();

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
  }

  /** After a filing: the app's admins and delegates are told, with a link to the request. */
  filed(request: AccessRequest): void {
    this.#deps.background.run('notify about an access request', () => this.#sendFiled(request));
  }

  /** After a decision: the requester is told. */
  decided(request: AccessRequest): void {
    this.#deps.background.run('notify an access decision', () => this.#sendDecided(request));
  }

  async #granted(memberId: string): Promise<boolean> {
    const installation = await this.#deps.installations.get(memberId);
    if (installation?.scopes.includes('im') === true) return true;
    if (!this.#noScopeLogged.has(memberId)) {
      this.#noScopeLogged.add(memberId);
      this.#deps.logger.info({ memberId }, 'the portal did not grant the im scope: access requests are not notified');
    }
    return false;
  }

  async #code(memberId: string): Promise<string | undefined> {
    const known = this.#codes.get(memberId);
    if (known !== undefined) return known;
    try {
      const client = await this.#deps.clients.forPortal(memberId);
      const info = appInfoSchema.parse(await client.call('app.info'));
      const code = info.CODE ?? (info.ID === undefined ? undefined : String(info.ID));
      if (code !== undefined) this.#codes.set(memberId, code);
      return code;
    } catch (error: unknown) {
      // Without the code there is no link; the notification still goes, saying where to look.
      this.#deps.logger.warn({ err: error, memberId }, 'could not read the app code for the request link');
      return undefined;
    }
  }

  async #recipients(request: AccessRequest): Promise<string[]> {
    const { memberId } = request;
    const ids = new Set<string>();
    for (const admin of await this.#deps.appAdmins.list(memberId)) ids.add(admin.id);
    const context = await this.#deps.access.context(memberId, 'en', { id: Number(request.userId), isAdmin: null });
    const departments: string[] = [];
    for (const code of context.stored.policy.delegates) {
      const user = /^I?U(\d+)$/.exec(code)?.[1];
      if (user !== undefined) ids.add(user);
      else departments.push(code);
    }
    if (departments.length > 0) {
      for (const [id, user] of context.snapshot.users) {
        if (ids.size >= MAX_RECIPIENTS + 1) break;
        if (!user.active) continue;
        const codes = subjectOf(context.snapshot, { id, isAdmin: null }).codes;
        if (departments.some((code) => codes.includes(code))) ids.add(String(id));
      }
    }
    ids.delete(request.userId);
    return [...ids].slice(0, MAX_RECIPIENTS);
  }

  async #send(memberId: string, userId: string, message: string, tag: string): Promise<void> {
    const client = await this.#deps.clients.forPortal(memberId);
    await client.call('im.notify.system.add', { USER_ID: Number(userId), MESSAGE: message, TAG: tag });
  }

  async #sendFiled(request: AccessRequest): Promise<void> {
    const { memberId } = request;
    if (!(await this.#granted(memberId))) return;
    const [installation, code, recipients] = await Promise.all([
      this.#deps.installations.get(memberId),
      this.#code(memberId),
      this.#recipients(request),
    ]);
    if (installation === undefined) return;
    const link =
      code === undefined
        ? undefined
        : // Brackets percent-encoded: a `]` would end the BB code's [URL=…] early; PHP decodes them into params[…].
          `https://${installation.domain}/marketplace/view/${encodeURIComponent(code)}/?params%5Bview%5D=requests&params%5Bid%5D=${encodeURIComponent(request.id)}`;
    const text = textsFor(installation.lang);
    const quoted = request.message === '' ? '' : `[BR]«${bbText(request.message, QUOTED)}»`;
    const what = text.asks(bbText(request.name, 100));
    const message = `${what}${quoted}[BR]${link === undefined ? text.where : `[URL=${link}]${text.review}[/URL]`}`;
    for (const userId of recipients) {
      try {
        await this.#send(memberId, userId, message, tagOf(request));
      } catch (error: unknown) {
        this.#deps.logger.warn({ err: error, memberId }, 'could not notify about an access request');
      }
    }
  }

  async #sendDecided(request: AccessRequest): Promise<void> {
    const { memberId } = request;
    if (!(await this.#granted(memberId))) return;
    const text = textsFor((await this.#deps.installations.get(memberId))?.lang);
    const by = bbText(request.decidedBy?.name ?? '', 100);
    const message =
      request.status === 'approved' ? text.approved(by) : text.declined(by, bbText(request.reason ?? '', 500));
    await this.#send(memberId, request.userId, message, tagOf(request));
  }
}

/** One tag per request: a later notification about the same request replaces the earlier one. */
export function tagOf(request: Pick<AccessRequest, 'id'>): string {
  return `KEYCARD|REQUEST|${request.id}`;
}

/** Text quoted in a notification: no BB code of the person's own (brackets dropped), one line, at most `max` chars. */
export function bbText(value: string, max: number): string {
  const flat = value.replace(/[[\]]/g, '').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}
