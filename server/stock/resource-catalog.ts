import type { Lang } from '../manifest.js';
import { sampleWarehouses } from './sample-stock.js';

/** A resource a role can be limited to (e.g. one warehouse). */
export interface Resource {
  id: string;
  name: string;
}

/**
 * The resources of each type the manifest declares, per portal. Roles name resources by id; the policy
 * editor lists these and `validatePolicy` refuses ids not among them.
 */
export interface ResourceCatalog {
  list(memberId: string, type: string, lang: Lang): Promise<Resource[]>;
}

/** The sample app's catalog: the same warehouses on every portal. */
export const sampleResourceCatalog: ResourceCatalog = {
  list: (_memberId, type, lang) =>
    Promise.resolve(
      type === 'warehouse'
        ? sampleWarehouses.map((warehouse) => ({ id: warehouse.id, name: warehouse.name[lang] }))
        : [],
    ),
};
