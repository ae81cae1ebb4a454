import type { Rule } from '../api/accessSchemas';
import type { I18n } from '../i18n';
import type { AccessText } from './text';

/**
 * A rule behind a decision as a sentence: "Role Manager assigned to Sales (with sub-departments) grants
 * Read". The "check a user" tool and the conflicts list use it, so the admin reads the same reasons the
 * server decided by.
 */
export function ruleSentence(i18n: I18n, text: AccessText, rule: Rule): string {
  const { t } = i18n;
  switch (rule.kind) {
    case 'fired':
      return t('rule.fired');
    case 'admin':
      return t('rule.admin');
    case 'adminUnknown':
      return t('rule.adminUnknown');
    case 'allowListEmpty':
      return t('rule.allowListEmpty');
    case 'allowList':
      return t('rule.allowList', { subject: text.subject(rule.code) });
    case 'notInAllowList':
      return t('rule.notInAllowList');
    case 'adminOnly':
      return t('rule.adminOnly', { feature: text.feature(rule.feature) });
    case 'delegate':
      return t('rule.delegate', { subject: text.subject(rule.code) });
    case 'role': {
      const params = { role: rule.roleTitle, subject: text.subject(rule.code), level: text.level(rule.level) };
      const resources = rule.resources === null ? null : text.resources(rule.feature, rule.resources);
      return resources === null ? t('rule.role', params) : t('rule.roleResources', { ...params, resources });
    }
    case 'noGrant':
      return t('rule.noGrant', { level: text.level(rule.level), feature: text.feature(rule.feature) });
    case 'unknown':
      return t('rule.unknown', { feature: text.feature(rule.feature), level: rule.level });
    case 'other':
      return t('rule.other', { name: rule.name });
  }
}
