import { appMethods } from './app.js';
import { batchMethods } from './batch.js';
import { departmentMethods } from './departments.js';
import { eventMethods } from './events.js';
import { imMethods } from './im.js';
import { placementMethods } from './placements.js';
import { sonetMethods } from './sonet.js';
import type { MethodDefinition } from './types.js';
import { userMethods } from './users.js';

/** Every REST method the emulated portal knows, by lowercase name. */
export const methods: ReadonlyMap<string, MethodDefinition> = new Map(
  Object.entries({
    ...userMethods,
    ...departmentMethods,
    ...appMethods,
    ...eventMethods,
    ...placementMethods,
    ...sonetMethods,
    ...imMethods,
    ...batchMethods,
  }),
);
