import { computed, type ComputedRef } from 'vue';
import { createAccessText, type AccessText, type AccessTextContext } from '../access/text';
import { useI18n } from '../i18n';

/** Access texts that follow `context` (names and manifest arrive and change with the policy). */
export function useAccessText(context: () => AccessTextContext): ComputedRef<AccessText> {
  const i18n = useI18n();
  return computed(() => createAccessText(i18n, context()));
}
