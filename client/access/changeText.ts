import type { AuditChange, GrantState } from '../api/accessSchemas';
import type { I18n } from '../i18n';
import type { AccessText } from './text';

/** One side of a grant change: "Edit (Warehouse: Main)" or "No access". */
function grantText(text: AccessText, feature: string, state: GrantState | null): string {
  if (state === null) return text.level(null);
  const resources = text.resources(feature, state.resources);
  return resources === null ? text.level(state.level) : `${text.level(state.level)} (${resources})`;
}

/** An audited change as a sentence with its before → after. */
export function changeSentence(i18n: I18n, text: AccessText, change: AuditChange): string {
  const { t } = i18n;
  switch (change.kind) {
    case 'allowList':
      return t(change.action === 'added' ? 'audit.change.allowList.added' : 'audit.change.allowList.removed', {
        subject: text.subject(change.code),
      });
    case 'delegates':
      return t(change.action === 'added' ? 'audit.change.delegates.added' : 'audit.change.delegates.removed', {
        subject: text.subject(change.code),
      });
    case 'role':
      if (change.action === 'renamed')
        return t('audit.change.role.renamed', { before: change.before, after: change.after });
      return t(change.action === 'added' ? 'audit.change.role.added' : 'audit.change.role.removed', {
        title: change.title,
      });
    case 'grant':
      return t('audit.change.grant', {
        title: change.title,
        feature: text.feature(change.feature),
        before: grantText(text, change.feature, change.before),
        after: grantText(text, change.feature, change.after),
      });
    case 'assignment':
      return t(change.action === 'added' ? 'audit.change.assignment.added' : 'audit.change.assignment.removed', {
        title: change.title,
        subject: text.subject(change.code),
      });
    case 'other':
      return t('audit.change.other', { name: change.name });
  }
}

/** The codes a change names (to filter the log by one of them). */
export function changeCodes(change: AuditChange): string[] {
  return 'code' in change ? [change.code] : [];
}
