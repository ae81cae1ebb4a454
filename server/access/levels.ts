/** Level arithmetic is shared with the UI (which offers only the levels a grant can confer): see common/levels.ts. */
export { expandGrant, levelClosure } from '../../common/levels.js';
