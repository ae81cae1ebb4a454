import { describe, expect, it } from 'vitest';
import { loadMessages } from '../../client/i18n';
import { en } from '../../client/i18n/en';
import { relativeTime } from '../../client/i18n/format';
import { pickPlural, pluralFormCount } from '../../client/i18n/plural';
import { ru } from '../../client/i18n/ru';
import { dictionaries, testI18n } from './support/i18n';

// Plural messages repeat `{count}` once per form (two in English, three in Russian): compare sets.
const placeholders = (text: string | undefined) =>
  [...new Set([...(text ?? '').matchAll(/\{(\w+)\}/g)].map((match) => match[1]))].sort();
const russian = new Map(Object.entries(ru));

describe('dictionaries', () => {
  it('have exactly the same keys in English and Russian', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty texts', () => {
    for (const [lang, messages] of Object.entries(dictionaries)) {
      for (const [key, text] of Object.entries(messages)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(russian.get(key)), key).toEqual(placeholders(text));
    }
  });

  it('translate Russian texts, not copy the English ones', () => {
    const same = Object.entries(en).filter(([key, text]) => key !== 'app.name' && russian.get(key) === text);
    expect(same).toEqual([]);
  });
});

describe('createI18n', () => {
  it('loads the dictionary of the language asked for', async () => {
    await expect(loadMessages('en')).resolves.toBe(en);
    await expect(loadMessages('ru')).resolves.toBe(ru);
  });

  it('fills placeholders and picks the language', () => {
    expect(testI18n('en').t('header.user', { name: 'Ann' })).toBe('Signed in as Ann');
    expect(testI18n('ru').t('header.user', { name: 'Анна' })).toBe('Вы вошли как Анна');
  });

  it('leaves a placeholder without a value visible', () => {
    expect(testI18n('en').t('error.code', {})).toBe('Error code: {code}');
  });
});

describe('plurals', () => {
  it('give every count.* message the number of forms its language needs, and no other message a |', () => {
    for (const [lang, messages] of Object.entries(dictionaries) as [
      keyof typeof dictionaries,
      Record<string, string>,
    ][]) {
      for (const [key, text] of Object.entries(messages)) {
        const forms = text.split('|').length;
        expect(forms, `${lang} ${key}`).toBe(key.startsWith('count.') ? pluralFormCount(lang) : 1);
      }
    }
  });

  it('pick the Russian one/few/many forms', () => {
    const { tc } = testI18n('ru');
    expect(tc('count.users', 1)).toBe('1 пользователь');
    expect(tc('count.users', 2)).toBe('2 пользователя');
    expect(tc('count.users', 5)).toBe('5 пользователей');
    expect(tc('count.users', 11)).toBe('11 пользователей');
    expect(tc('count.users', 21)).toBe('21 пользователь');
    expect(tc('count.users', 24)).toBe('24 пользователя');
    expect(tc('count.departments', 0)).toBe('0 отделов');
    expect(tc('count.users', 50_000).replace(/\s/g, ' ')).toBe('50 000 пользователей');
  });

  it('pick the English one/other forms and format the number', () => {
    const { tc } = testI18n('en');
    expect(tc('count.users', 1)).toBe('1 user');
    expect(tc('count.users', 0)).toBe('0 users');
    expect(tc('count.employees', 50_000)).toBe('50,000 employees');
  });

  it('fall back to the last form for a text without enough forms', () => {
    expect(pickPlural('ru', 'один|два', 5)).toBe('два');
  });
});

describe('relativeTime', () => {
  const now = Date.UTC(2025, 4, 6, 12);

  it('is null under 45 seconds and for a clock ahead of ours', () => {
    expect(relativeTime('en', now - 44_000, now)).toBeNull();
    expect(relativeTime('en', now + 60_000, now)).toBeNull();
  });

  it('counts minutes, hours, days and months', () => {
    expect(relativeTime('en', now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(relativeTime('en', now - 50_000, now)).toBe('1 minute ago');
    expect(relativeTime('en', now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(relativeTime('en', now - 86_400_000, now)).toBe('yesterday');
    expect(relativeTime('ru', now - 5 * 60_000, now)).toBe('5 минут назад');
    expect(relativeTime('en', now - 65 * 86_400_000, now)).toBe('2 months ago');
  });
});
