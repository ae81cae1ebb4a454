import type { AccessIndex } from './access-index.js';
import type { Decision } from './rules.js';
import type { Subject } from './subject.js';

/** Requests remembered per subject at most; past it (many distinct resources), decisions are made afresh. */
const MAX_REMEMBERED = 256;

/**
 * A subject shared by every request of one user on one mirror snapshot with one admin status (`subjectOf` makes
 * them), remembering its decisions. It is immutable, and an index is a new object whenever the policy changes
 * (a new ETag): the pair (index, subject) fixes every input of a decision, so a remembered decision is never
 * stale. A new policy brings a new index, which empties the memory; a new snapshot (a generation or an overlay
 * revision) brings new subjects. A copy of a shared subject (`{ ...subject, codes }`) is a plain Subject: it
 * remembers nothing and is decided afresh, as is every subject made elsewhere.
 *
 * The memory lives in the subject itself, a flat array by request, so a remembered decision is a few reads
 * of memory already at hand rather than a walk through maps (which the warm path is bound by).
 */
export class SharedSubject implements Subject {
  readonly userId: number;
  readonly active: boolean;
  readonly isAdmin: boolean | null;
  readonly codes: readonly string[];
  /** The index the remembered decisions were made under. */
  #index: AccessIndex | undefined;
  #open: Decision | undefined;
  /** By request slot (`FeatureInfo.slot` + level index): the decision asked without a resource. */
  #decisions: (Decision | undefined)[] = [];
  /** By request slot and resource; made when a resource is first asked about. */
  #byResource: Map<string, Decision> | undefined;
  #remembered = 0;

  constructor(subject: Subject) {
    this.userId = subject.userId;
    this.active = subject.active;
    this.isAdmin = subject.isAdmin;
    this.codes = Object.isFrozen(subject.codes) ? subject.codes : Object.freeze([...subject.codes]);
    Object.freeze(this);
  }

  /** The decision remembered for request `slot` (on `resource`) under `index`. */
  recall(index: AccessIndex, slot: number, resource: string | undefined): Decision | undefined {
    if (this.#index !== index) this.#forget(index);
    return resource === undefined ? this.#decisions[slot] : this.#byResource?.get(`${slot}|${resource}`);
  }

  /** Remembers `decision`, made under `index`, and returns it, now frozen. */
  remember(index: AccessIndex, slot: number, resource: string | undefined, decision: Decision): Decision {
    if (this.#index !== index) this.#forget(index);
    if (this.#remembered >= MAX_REMEMBERED) return decision;
    this.#remembered += 1;
    const shared = frozen(decision);
    if (resource === undefined) this.#decisions[slot] = shared;
    else (this.#byResource ??= new Map()).set(`${slot}|${resource}`, shared);
    return shared;
  }

  /** Whether the subject may open the app, remembered as decisions are. */
  recallOpen(index: AccessIndex): Decision | undefined {
    if (this.#index !== index) this.#forget(index);
    return this.#open;
  }

  rememberOpen(index: AccessIndex, decision: Decision): Decision {
    if (this.#index !== index) this.#forget(index);
    return (this.#open = frozen(decision));
  }

  #forget(index: AccessIndex): void {
    this.#index = index;
    this.#open = undefined;
    this.#decisions = [];
    this.#byResource = undefined;
    this.#remembered = 0;
  }
}

/** A remembered decision is handed to every later caller: none may change it. */
function frozen(decision: Decision): Decision {
  Object.freeze(decision.reasons);
  return Object.freeze(decision);
}
