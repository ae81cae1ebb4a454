import type { Lang } from './index';

// Plural texts keep their forms in one message, separated by `|`: English "one|other", Russian
// "one|few|many" (1 пользователь, 2 пользователя, 5 пользователей).

/** The CLDR categories each language's forms stand for, in the order they are written. */
const FORMS: Record<Lang, readonly Intl.LDMLPluralRule[]> = {
  en: ['one', 'other'],
  ru: ['one', 'few', 'many'],
};

/** How many `|`-separated forms a plural message of `lang` has. */
export function pluralFormCount(lang: Lang): number {
  return FORMS[lang].length;
}

const rules = new Map<Lang, Intl.PluralRules>();

/** Index of the form to use for `count`. */
export function pluralIndex(lang: Lang, count: number): number {
  let rule = rules.get(lang);
  if (!rule) {
    rule = new Intl.PluralRules(lang);
    rules.set(lang, rule);
  }
  const index = FORMS[lang].indexOf(rule.select(count));
  // Russian fractions are "other" and read like "few" (1,5 пользователя); English has only two forms.
  return index === -1 ? 1 : index;
}

/** The form of a `|`-separated plural message for `count`. */
export function pickPlural(lang: Lang, text: string, count: number): string {
  const forms = text.split('|');
  return forms[pluralIndex(lang, count)] ?? forms[forms.length - 1] ?? text;
}
