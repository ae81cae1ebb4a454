import { createI18n, type I18n, type Lang, type Messages } from '../../../client/i18n';
import { en } from '../../../client/i18n/en';
import { ru } from '../../../client/i18n/ru';

/** Both dictionaries at hand (the app loads only the user's, on start: client/i18n/index.ts). */
export const dictionaries: Record<Lang, Messages> = { en, ru };

/** An I18n for `lang` without waiting for its dictionary to load. */
export function testI18n(lang: Lang = 'en'): I18n {
  return createI18n(lang, dictionaries[lang]);
}
