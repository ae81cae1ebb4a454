/** The access-control core: pure, no I/O. Routes and middleware load inputs and call these. */
export { buildIndex, type AccessIndex } from './access-index.js';
export { isAccessCode } from './codes.js';
export { conflicts, type ConflictGroup, type Narrower } from './conflicts.js';
export { allowedResources, evaluate, filterByResource } from './evaluate.js';
export { effectiveAccess, type EffectiveAccess, type FeatureAccess, type LevelAccess } from './explain.js';
export { canOpen } from './gate.js';
export { knownCodes } from './known-codes.js';
export { ACCESS_MANAGE, defaultPolicy, policySchema, type Grant, type Policy, type Role } from './policy.js';
export type { Decision, RoleRule, Rule } from './rules.js';
export { verifiedActive, type AccessRequest, type Subject } from './subject.js';
export { parsePolicy, validatePolicy, type KnownEntities, type PolicyProblem } from './validate.js';
