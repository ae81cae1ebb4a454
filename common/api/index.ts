/*
 * The answers of the server's /api/* routes, as types without a runtime: the contract between the server,
 * which sends them (server/http/routes/, views/), and the UI, which reads them (client/api/schemas.ts and
 * accessSchemas.ts). One file per part of the API: errors.ts, me.ts (me, scopes), directory.ts (sync,
 * departments, users), access.ts (policy, check, conflicts, audit, stock), requests.ts (access requests).
 *
 * Each type is what the server promises and the UI relies on. The server may send more than it promises
 * (objects are not strict: the UI ignores a field it does not read) and narrower values (a known word for an
 * open label, a number where a number or a string is allowed). The UI's zod schema for each answer is tied to
 * its type in both directions (client/api/contract.ts): the schema accepts every value of the type, and what
 * it parses is a value of the type, so a field added, dropped or retyped on either side fails the type check.
 *
 * Where the UI reads leniently the contract leaves that room, and says so:
 * - open labels (a code kind, a sync phase, a sync trigger) are strings; the known words are listed;
 * - a rule or an audit change may be of a kind not listed here (`ApiUnlistedKind`);
 * - an optional object may also come as null, meaning the same;
 * - a field the UI can do without (a checked user's position, a feature's resource type) is optional, though
 *   the server sends it;
 * - a user id quoted from the directory (check, conflicts) is a number the UI also accepts as a string.
 * Arrays are plain `T[]`, as JSON and the UI's parsed answers have them (a read-only array is not accepted
 * where a plain one is expected).
 */

export type * from './access.js';
export type * from './directory.js';
export type * from './errors.js';
export type * from './me.js';
export type * from './requests.js';
