import { describe, expect, it } from 'vitest'
import { createI18n, dictionaries } from '../../client/i18n'
import { en } from '../../client/i18n/en'
import { ru } from '../../client/i18n/ru'

const placeholders = (text: string | undefined) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()
const russian = new Map(Object.entries(ru))

describe('dictionaries', () => {
  it('have exactly the same keys in English and Russian', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort())
  })

  it('have no empty texts', () => {
    for (const [lang, messages] of Object.entries(dictionaries)) {
      for (const [key, text] of Object.entries(messages)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('')
      }
    }
  })

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(russian.get(key)), key).toEqual(placeholders(text))
    }
  })

  it('translate Russian texts, not copy the English ones', () => {
    const same = Object.entries(en).filter(([key, text]) => key !== 'app.name' && russian.get(key) === text)
    expect(same).toEqual([])
  })
})

describe('createI18n', () => {
  it('fills placeholders and picks the language', () => {
    expect(createI18n('en').t('header.user', { name: 'Ann' })).toBe('Signed in as Ann')
    expect(createI18n('ru').t('header.user', { name: 'Анна' })).toBe('Вы вошли как Анна')
  })

  it('leaves a placeholder without a value visible', () => {
    expect(createI18n('en').t('error.code', {})).toBe('Error code: {code}')
  })
})
