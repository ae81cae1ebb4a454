import type { MessageKey, MessageParams } from '../i18n';
import type { PolicyDraft } from './draft';

/** A label for where a problem is: `roles.2.grants.stock.level` → "Role “Storekeeper”". */
export function problemSection(path: string, draft: PolicyDraft | null): { key: MessageKey; params?: MessageParams } {
  const [head, index] = path.split('.');
  if (head === 'allowList') return { key: 'settings.problems.allowList' };
  if (head === 'delegates') return { key: 'settings.problems.delegates' };
  if (head === 'assignments') return { key: 'settings.problems.assignments' };
  if (head === 'roles') {
    const role = index === undefined ? undefined : draft?.roles[Number(index)];
    return role === undefined
      ? { key: 'settings.problems.roles' }
      : { key: 'settings.problems.role', params: { title: role.title } };
  }
  return { key: 'settings.problems.policy' };
}
