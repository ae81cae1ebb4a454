import type { Lang } from '../../manifest.js';
import { escapeHtml, LOCK_ICON, PAGE_STYLE } from './message-page.js';
import { pageText } from './page-texts.js';

/** A request as the person who filed it sees it. */
export interface OwnRequest {
  status: 'open' | 'approved' | 'declined';
  createdAt: number;
  decidedAt?: number | undefined;
  decidedBy?: { name: string } | undefined;
  reason?: string | undefined;
}

/** What the no-access page shows besides the refusal. */
export interface NoAccessPageOptions {
  lang: Lang;
  /** The people to ask (askLines). */
  askLines: string[];
  /** The person's latest request, if any. */
  latest?: OwnRequest | undefined;
  /** The form is shown (with this signed ticket) when the person may ask now. */
  form?: { action: string; ticket: string } | undefined;
  /** A feature placement: smaller paddings and heading, the feature named. */
  compact?: boolean | undefined;
  featureTitle?: string | undefined;
  /** Shown right after a filing: "Request sent". */
  justSent?: boolean | undefined;
}

const texts = {
  en: {
    featureTitle: (title: string) => `You have no access to “${title}”`,
    featureMessage: 'Keycard’s administrators decide who may use this part of the app. Ask one of them:',
    ask: 'Request access',
    messageLabel: 'Message to the administrators (optional)',
    messageHint: 'Up to 500 characters.',
    sent: 'Request sent',
    pending: (date: string) => `Your request of ${date} is pending.`,
    declined: (name: string, date: string) => `Declined by ${name} on ${date}:`,
    approved: (name: string, date: string) => `Approved by ${name} on ${date}. Close Keycard and open it again.`,
    askAgain: 'You may ask again:',
  },
  ru: {
    featureTitle: (title: string) => `У вас нет доступа к разделу «${title}»`,
    featureMessage:
      'Администраторы Keycard решают, кто может пользоваться этой частью приложения. Попросите одного из них:',
    ask: 'Запросить доступ',
    messageLabel: 'Сообщение администраторам (необязательно)',
    messageHint: 'До 500 символов.',
    sent: 'Запрос отправлен',
    pending: (date: string) => `Ваш запрос от ${date} ждёт решения.`,
    declined: (name: string, date: string) => `Отклонено: ${name}, ${date}:`,
    approved: (name: string, date: string) => `Одобрено: ${name}, ${date}. Закройте Keycard и откройте снова.`,
    askAgain: 'Можно попросить снова:',
  },
} as const;

function dateOf(lang: Lang, at: number): string {
  return new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(at));
}

function statusBlock(lang: Lang, latest: OwnRequest | undefined, justSent: boolean): string {
  const t = texts[lang];
  if (latest === undefined) return '';
  const by = escapeHtml(latest.decidedBy?.name ?? '');
  const decidedOn = escapeHtml(dateOf(lang, latest.decidedAt ?? latest.createdAt));
  switch (latest.status) {
    case 'open':
      return `<div class="status" data-request-status="open">${justSent ? `<strong>${escapeHtml(t.sent)}</strong> ` : ''}${escapeHtml(t.pending(dateOf(lang, latest.createdAt)))}</div>`;
    case 'declined':
      return `<div class="status status--declined" data-request-status="declined">${t.declined(by, decidedOn)} <q>${escapeHtml(latest.reason ?? '')}</q></div>`;
    case 'approved':
      return `<div class="status" data-request-status="approved">${t.approved(by, decidedOn)}</div>`;
  }
}

function formBlock(lang: Lang, form: NonNullable<NoAccessPageOptions['form']>, askedBefore: boolean): string {
  const t = texts[lang];
  return `<form method="post" action="${escapeHtml(form.action)}" data-request-form>
  ${askedBefore ? `<p>${escapeHtml(t.askAgain)}</p>` : ''}
  <input type="hidden" name="ticket" value="${escapeHtml(form.ticket)}">
  <label for="request-message">${escapeHtml(t.messageLabel)}</label>
  <textarea id="request-message" name="message" maxlength="500" rows="3"></textarea>
  <span class="hint">${escapeHtml(t.messageHint)}</span>
  <button type="submit">${escapeHtml(t.ask)}</button>
</form>`;
}

/**
 * The APP_ACCESS_DENIED page (full, or `compact` for a tab inside a CRM or workgroup card): whom to ask, the
 * person's request status, and — when they may ask — a plain HTML form (works without script; the CSP allows
 * `form-action 'self'`) that posts to `/app/access-request` with a signed ticket. Everything the person or an
 * admin typed is escaped: it stays text.
 */
export function renderNoAccessPage(options: NoAccessPageOptions): string {
  const { lang } = options;
  const base = pageText(lang, 'APP_ACCESS_DENIED');
  const t = texts[lang];
  const title = options.featureTitle === undefined ? base.title : t.featureTitle(options.featureTitle);
  const message = options.featureTitle === undefined ? base.message : t.featureMessage;
  const asked = options.latest !== undefined;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${PAGE_STYLE}
  .status { max-width: 384px; margin-top: 8px; padding: 8px 12px; border-radius: 8px; background: #e5f9ff; color: #1b4f72; }
  .status--declined { background: #fff1e0; color: #6b3b00; }
  .status q { white-space: pre-wrap; overflow-wrap: anywhere; }
  form { margin-top: 12px; width: 100%; max-width: 384px; display: flex; flex-direction: column; gap: 6px; text-align: left; }
  label { font-weight: 500; color: #333; }
  textarea { box-sizing: border-box; width: 100%; padding: 8px 10px; border: 1px solid #c9ccd0; border-radius: 8px; font: inherit; resize: vertical; }
  textarea:focus { outline: 2px solid #2fc6f6; outline-offset: 0; border-color: #2fc6f6; }
  .hint { font-size: 12px; color: #5f6874; }
  button { align-self: center; margin-top: 6px; padding: 0 20px; height: 36px; border: 0; border-radius: 18px; background: #3bc8f5; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  button:hover { background: #3eddff; }
  body.compact { background: #fff; }
  body.compact main { max-width: none; margin: 0; padding: 12px 16px; border-radius: 0; box-shadow: none; gap: 4px; }
  body.compact .indicator { width: 40px; height: 40px; margin-bottom: 4px; }
  body.compact .indicator svg { width: 20px; height: 20px; }
  body.compact h1 { font-size: 14px; max-width: 480px; }
  body.compact p, body.compact ul, body.compact .status, body.compact form { max-width: 480px; font-size: 13px; }
  body.compact .code { margin-top: 4px; font-size: 11px; }
</style>
</head>
<body${options.compact === true ? ' class="compact"' : ''}>
<main role="alert" data-page="refusal" data-code="APP_ACCESS_DENIED"${options.compact === true ? ' data-compact="true"' : ''}>
  <div class="indicator">${LOCK_ICON}</div>
  <h1>${escapeHtml(title)}</h1>
  <p>${escapeHtml(message)}</p>
  ${options.askLines.length === 0 ? '' : `<ul>${options.askLines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`}
  ${statusBlock(lang, options.latest, options.justSent === true)}
  ${options.form === undefined ? '' : formBlock(lang, options.form, asked)}
  <p class="code">APP_ACCESS_DENIED</p>
</main>
</body>
</html>
`;
}
