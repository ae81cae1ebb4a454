/** Languages the UI speaks; every other portal language falls back to English. */
export const languages = ['en', 'ru'] as const;
export type Lang = (typeof languages)[number];

/** Picks the UI language from a Bitrix24 LANG / LANGUAGE_ID value. */
export function pickLang(value: string | undefined): Lang {
  return value?.trim().toLowerCase().startsWith('ru') === true ? 'ru' : 'en';
}
