import type { AccessManifest, CodeName, LevelResources, Names } from '../api/accessSchemas';
import type { I18n, MessageKey } from '../i18n';
import { ALL_USERS, codeKind, toCodeKind, type CodeKind } from './codes';

/** What the access texts name things from: the codes' names and the manifest's titles. */
export interface AccessTextContext {
  names: Names;
  /** `null` until the policy (which carries the manifest) is loaded: keys are shown instead of titles. */
  manifest: AccessManifest | null;
}

/** The built-in feature that lets a user manage access; it is not in the manifest's feature list. */
export const ACCESS_MANAGE = 'access.manage';

const KIND_LABEL: Record<CodeKind, MessageKey> = {
  user: 'access.kind.user',
  department: 'access.kind.department',
  departmentTree: 'access.kind.departmentTree',
  group: 'access.kind.group',
  allUsers: 'access.kind.allUsers',
  unknown: 'access.kind.unknown',
};

/** Names of codes, features, levels and resources, in the UI's language, for one policy. */
export function createAccessText(i18n: I18n, context: AccessTextContext) {
  const { t } = i18n;
  const { names, manifest } = context;

  /** The code's name and kind; a code the server has not named is read from its syntax. */
  function codeName(code: string): CodeName & { kind: CodeKind } {
    const known = names[code];
    if (known !== undefined) return { title: known.title, kind: toCodeKind(known.kind) };
    const kind = codeKind(code);
    return { title: code === ALL_USERS ? t('access.allUsers') : code, kind };
  }

  /** The code as it reads inside a sentence: "Sales (with sub-departments)". */
  function subject(code: string): string {
    const { title, kind } = codeName(code);
    if (kind === 'department') return t('access.subject.department', { name: title });
    if (kind === 'departmentTree') return t('access.subject.departmentTree', { name: title });
    if (kind === 'group') return t('access.subject.group', { name: title });
    if (kind === 'allUsers') return t('access.subject.allUsers');
    return title;
  }

  /** The code on its own (a chip, a list): "Sales (with sub-departments)", "All authorized users". */
  function label(code: string): string {
    const { title, kind } = codeName(code);
    return kind === 'user' || kind === 'allUsers' || kind === 'unknown' ? title : subject(code);
  }

  function feature(key: string): string {
    if (key === ACCESS_MANAGE) return t('access.manageFeature');
    return manifest?.features.find((item) => item.key === key)?.title ?? key;
  }

  function level(key: string | null): string {
    if (key === null) return t('access.noLevel');
    return manifest?.levels.find((item) => item.key === key)?.title ?? key;
  }

  /** "Warehouse: Main, North" for a resource-scoped feature; `null` for any other. */
  function resources(featureKey: string, scope: LevelResources | null | undefined): string | null {
    const type = manifest?.features.find((item) => item.key === featureKey)?.resource;
    if (type === null || type === undefined) return null;
    const resourceType = manifest?.resourceTypes.find((item) => item.key === type);
    const typeTitle = resourceType?.title ?? type;
    if (scope === null || scope === undefined || scope === 'all') return t('access.resources.all', { type: typeTitle });
    if (scope.length === 0) return t('access.resources.none', { type: typeTitle });
    const list = scope.map((id) => resourceType?.resources.find((item) => item.id === id)?.name ?? id).join(', ');
    return t('access.resources.some', { type: typeTitle, list });
  }

  /** The resource type of a resource-scoped feature (with its resources), or null. */
  function resourceType(featureKey: string) {
    const type = manifest?.features.find((item) => item.key === featureKey)?.resource;
    return manifest?.resourceTypes.find((item) => item.key === type) ?? null;
  }

  return {
    codeName,
    subject,
    label,
    feature,
    level,
    resources,
    resourceType,
    kindLabel: (kind: CodeKind) => t(KIND_LABEL[kind]),
  };
}

export type AccessText = ReturnType<typeof createAccessText>;
