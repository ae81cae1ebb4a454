/** Who is asking: built by the middleware from the session and the directory mirror. */
export interface Subject {
  userId: number;
  /** False for fired (deactivated) users: they never pass. */
  active: boolean;
  /** Portal admin (`user.admin`); null when the lookup failed — anything gated on it is denied. */
  isAdmin: boolean | null;
  /** The user's Bitrix24 access codes (`accessCodes(snapshot, userId)`): U, D, DR, SG…, AU. */
  codes: readonly string[];
}

/**
 * A subject Bitrix24 has just let in (they opened the app, or asked from its no-access page): active whatever the
 * mirror says. One the mirror has as fired is decided on their own code only — its departments are stale.
 */
export function verifiedActive(subject: Subject): Subject {
  return subject.active ? subject : { ...subject, active: true, codes: [`U${subject.userId}`, 'AU'] };
}

/** What is asked: a level of a feature, optionally for one resource of the feature's resource type. */
export interface AccessRequest {
  feature: string;
  level: string;
  /**
   * A resource id (e.g. a warehouse). Ignored for features that are not resource-scoped. Omitted on a
   * resource-scoped feature, the question is "at this level for at least one resource" (may open the page);
   * lists are then filtered with `allowedResources`.
   */
  resource?: string;
}
