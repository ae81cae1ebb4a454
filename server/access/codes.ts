/** The access-code grammar is shared with the UI: see common/access-codes.ts. */
export { ALL_USERS, isAccessCode, normalizeAccessCode } from '../../common/access-codes.js';
