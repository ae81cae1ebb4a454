import { inject, type InjectionKey } from 'vue';
import type { Lang } from '../../common/lang';
import type { MessageKey, Messages } from './en';
import { pickPlural } from './plural';

/** UI languages; the server picks one per user and passes it in the bootstrap. */
export type { Lang };

// Each language's texts are a chunk of their own (~17 kB), so a user downloads only their language's. The
// page preloads it with its other scripts (vite.config.ts languagePreload, server/http/pages/app-shell.ts),
// so waiting for it costs no round trip of its own before the first paint.
const dictionaries: Record<Lang, () => Promise<Messages>> = {
  en: async () => (await import('./en')).en,
  ru: async () => (await import('./ru')).ru,
};

/** The texts of `lang`, for createI18n(). */
export function loadMessages(lang: Lang): Promise<Messages> {
  return dictionaries[lang]();
}

/** Values for `{name}` placeholders. */
export type MessageParams = Record<string, string | number>;

/** Messages with `|`-separated plural forms (see plural.ts); they all live under `count.`. */
export type PluralKey = Extract<MessageKey, `count.${string}`>;

/** Translation functions for one language. */
export interface I18n {
  readonly lang: Lang;
  t(key: MessageKey, params?: MessageParams): string;
  /** The plural form for `count`, with `{count}` filled in, formatted for the language. */
  tc(key: PluralKey, count: number, params?: MessageParams): string;
  /** A number formatted for the language: 50,000 / 50 000. */
  n(value: number): string;
}

export const i18nKey: InjectionKey<I18n> = Symbol('keycard.i18n');

const PLACEHOLDER = /\{(\w+)\}/g;

export function createI18n(lang: Lang, messages: Messages): I18n {
  const numbers = new Intl.NumberFormat(lang);

  function fill(text: string, params: MessageParams | undefined): string {
    if (!params) return text;
    // An unknown placeholder stays visible so a missing parameter is noticed, not hidden.
    return text.replace(PLACEHOLDER, (match, name: string) => {
      const value = params[name];
      return value === undefined ? match : String(value);
    });
  }

  return {
    lang,
    t: (key, params) => fill(messages[key], params),
    tc: (key, count, params) =>
      fill(pickPlural(lang, messages[key], count), { count: numbers.format(count), ...params }),
    n: (value) => numbers.format(value),
  };
}

/** The i18n provided by the app root (`app.provide(i18nKey, createI18n(lang, await loadMessages(lang)))`). */
export function useI18n(): I18n {
  const i18n = inject(i18nKey);
  if (!i18n) throw new Error('useI18n() needs createI18n() provided under i18nKey');
  return i18n;
}

export type { MessageKey, Messages };
