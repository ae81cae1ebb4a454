import { computed, inject, shallowRef, type ComputedRef, type InjectionKey } from 'vue';
import type { AccessManifest, Names, PolicyImpact, PolicyProblem, PolicyResponse } from '../api/accessSchemas';
import type { ApiClient } from '../api/client';
import { codeKind, type PickedCode } from '../access/codes';
import { draftOf, sameDraft, type PolicyDraft } from '../access/draft';
import { rebaseDraft } from '../access/rebase';

/**
 * The access policy being edited: what the server has (with its ETag) and the admin's draft. The
 * Access and Roles tabs edit the same draft and share one Save. A failed save never touches the
 * draft: problems, a lost race (409) and errors are shown next to it, and the admin decides.
 */
export interface PolicyEditor {
  readonly loading: ComputedRef<boolean>;
  readonly loadError: ComputedRef<unknown>;
  /** The policy as the server last sent it: the base of the draft and the ETag sent as If-Match. */
  readonly saved: ComputedRef<PolicyResponse | null>;
  readonly draft: ComputedRef<PolicyDraft | null>;
  readonly manifest: ComputedRef<AccessManifest | null>;
  /** The server's names plus the names of codes picked since (dialogs return them). */
  readonly names: ComputedRef<Names>;
  readonly dirty: ComputedRef<boolean>;
  readonly saving: ComputedRef<boolean>;
  /** 400 INVALID_POLICY: what to fix; cleared by the next save. */
  readonly problems: ComputedRef<readonly PolicyProblem[]>;
  /** 409 POLICY_CHANGED: what the other admin saved, until the admin reapplies or takes theirs. */
  readonly conflict: ComputedRef<PolicyResponse | null>;
  /** Any other failed save (428, 403, network). */
  readonly saveError: ComputedRef<unknown>;
  /** The last save succeeded and nothing was edited since. */
  readonly justSaved: ComputedRef<boolean>;
  /**
   * A save that takes access from someone (or deletes roles) waits here, showing who loses what, until the admin
   * confirms or goes back to editing.
   */
  readonly impact: ComputedRef<PolicyImpact | null>;
  /** Saves the draft the impact was shown for, confirming the roles it deletes. */
  confirmImpact(): Promise<void>;
  /** Back to editing; nothing saved. */
  cancelImpact(): void;
  load(): Promise<void>;
  edit(change: (draft: PolicyDraft) => PolicyDraft): void;
  /** Remembers what picked codes are called until the server names them. */
  learnNames(picked: readonly PickedCode[]): void;
  save(): Promise<void>;
  /** Drops the draft's changes. */
  discard(): void;
  /** After a 409: the draft's changes replayed on top of what the other admin saved. */
  reapply(): void;
  /** After a 409: the other admin's policy, the draft's changes dropped. */
  takeTheirs(): void;
}

export const policyEditorKey: InjectionKey<PolicyEditor> = Symbol('keycard.policyEditor');

export interface PolicyEditorOptions {
  api: Pick<ApiClient, 'policy' | 'savePolicy' | 'policyImpact'>;
  /** After a successful save (the signed-in admin's own access may have changed). */
  onSaved?: () => void;
}

export function createPolicyEditor(options: PolicyEditorOptions): PolicyEditor {
  const { api, onSaved } = options;
  const loading = shallowRef(false);
  const loadError = shallowRef<unknown>(null);
  const saved = shallowRef<PolicyResponse | null>(null);
  const draft = shallowRef<PolicyDraft | null>(null);
  const learned = shallowRef<Names>({});
  const saving = shallowRef(false);
  const problems = shallowRef<readonly PolicyProblem[]>([]);
  const conflict = shallowRef<PolicyResponse | null>(null);
  const saveError = shallowRef<unknown>(null);
  const justSaved = shallowRef(false);
  const impact = shallowRef<{ shown: PolicyImpact; draft: PolicyDraft } | null>(null);

  const base = computed(() => (saved.value === null ? null : draftOf(saved.value.policy)));

  function adopt(response: PolicyResponse): void {
    saved.value = response;
    draft.value = draftOf(response.policy);
  }

  async function load(): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      adopt(await api.policy());
    } catch (err: unknown) {
      loadError.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function save(): Promise<void> {
    const sent = draft.value;
    if (saved.value === null || sent === null || saving.value || conflict.value !== null) return;
    saving.value = true;
    saveError.value = null;
    justSaved.value = false;
    let found: PolicyImpact | null = null;
    try {
      found = await api.policyImpact(sent);
    } catch {
      // The preview is a courtesy: the save itself checks the draft and reports every problem.
      found = null;
    }
    if (found !== null && (found.losses.length > 0 || found.deletedRoles.length > 0 || found.locksYouOut)) {
      impact.value = { shown: found, draft: sent };
      saving.value = false;
      return;
    }
    saving.value = false;
    await commit(sent, []);
  }

  async function commit(sent: PolicyDraft, confirmDeletedRoles: string[]): Promise<void> {
    const current = saved.value;
    if (current === null || saving.value || conflict.value !== null) return;
    saving.value = true;
    saveError.value = null;
    justSaved.value = false;
    try {
      const input = confirmDeletedRoles.length === 0 ? sent : { ...sent, confirmDeletedRoles };
      const result = await api.savePolicy(current.etag, input);
      problems.value = result.outcome === 'invalid' ? result.problems : [];
      if (result.outcome === 'changed') conflict.value = result.current;
      if (result.outcome === 'saved') {
        saved.value = result.response;
        // Edits made while the request was out stay in the draft, now based on the saved policy.
        if (draft.value === sent) draft.value = draftOf(result.response.policy);
        justSaved.value = true;
        onSaved?.();
      }
    } catch (err: unknown) {
      saveError.value = err;
    } finally {
      saving.value = false;
    }
  }

  return {
    loading: computed(() => loading.value),
    loadError: computed(() => loadError.value),
    saved: computed(() => saved.value),
    draft: computed(() => draft.value),
    manifest: computed(() => saved.value?.manifest ?? null),
    names: computed(() => ({ ...learned.value, ...conflict.value?.names, ...saved.value?.names })),
    dirty: computed(() => draft.value !== null && base.value !== null && !sameDraft(draft.value, base.value)),
    saving: computed(() => saving.value),
    problems: computed(() => problems.value),
    conflict: computed(() => conflict.value),
    saveError: computed(() => saveError.value),
    justSaved: computed(() => justSaved.value),
    impact: computed(() => impact.value?.shown ?? null),
    load,
    save,

    async confirmImpact() {
      const pending = impact.value;
      impact.value = null;
      if (pending === null) return;
      await commit(
        pending.draft,
        pending.shown.deletedRoles.map((role) => role.key),
      );
    },

    cancelImpact() {
      impact.value = null;
    },

    edit(change) {
      if (draft.value === null) return;
      draft.value = change(draft.value);
      justSaved.value = false;
    },

    learnNames(picked) {
      const next = { ...learned.value };
      for (const { id, name } of picked) next[id] = { title: name, kind: codeKind(id) };
      learned.value = next;
    },

    discard() {
      if (saved.value !== null) draft.value = draftOf(saved.value.policy);
      problems.value = [];
      saveError.value = null;
    },

    reapply() {
      const theirs = conflict.value;
      if (theirs === null || base.value === null || draft.value === null) return;
      draft.value = rebaseDraft(base.value, draft.value, draftOf(theirs.policy));
      saved.value = theirs;
      conflict.value = null;
    },

    takeTheirs() {
      const theirs = conflict.value;
      if (theirs === null) return;
      adopt(theirs);
      conflict.value = null;
      problems.value = [];
    },
  };
}

/** The editor provided by the Access settings page to its tabs. */
export function usePolicyEditor(): PolicyEditor {
  const editor = inject(policyEditorKey);
  if (!editor) throw new Error('usePolicyEditor() needs createPolicyEditor() provided under policyEditorKey');
  return editor;
}
