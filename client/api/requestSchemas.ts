import * as d from './decode';
import type {
  ApiAccessRequest,
  ApiAccessRequestCount,
  ApiAccessRequestList,
  ApiRequestApproved,
  ApiRequestDeclined,
} from '../../common/api';
import { policyResponseSchema } from './accessSchemas';
import { tiedTo } from './contract';

// Answers of the access-requests API (issue 14): GET /api/access-requests, /count, and the decisions. Objects
// are not strict: a field a later server adds does not fail the answer. Each is tied to its type in common/api.

const person = d.object({ id: d.string(), name: d.string() });

/** One access request as the Requests tab shows it. */
export const accessRequestSchema = tiedTo<ApiAccessRequest>()(
  d.object({
    id: d.string(),
    userId: d.string(),
    name: d.string(),
    /** Plain text the person typed (shown as text, never as markup). */
    message: d.string(),
    feature: d.optional(d.string()),
    status: d.oneOf(['open', 'approved', 'declined']),
    createdAt: d.number(),
    decidedAt: d.optional(d.number()),
    decidedBy: d.optional(person),
    reason: d.optional(d.string()),
    approvedAs: d.optional(
      d.union([d.object({ kind: d.oneOf(['allowList']) }), d.object({ kind: d.oneOf(['role']), role: d.string() })]),
    ),
  }),
);

/** GET /api/access-requests: open first (oldest first), then decided (newest first). */
export const requestListSchema = tiedTo<ApiAccessRequestList>()(
  d.object({ requests: d.array(accessRequestSchema), open: d.number({ min: 0 }) }),
);

/** GET /api/access-requests/count */
export const requestCountSchema = tiedTo<ApiAccessRequestCount>()(d.object({ open: d.number({ min: 0 }) }));

/** POST …/approve: the request and the access settings as saved. */
export const approvedSchema = tiedTo<ApiRequestApproved>()(
  d.object({ request: accessRequestSchema, policy: policyResponseSchema }),
);

/** POST …/decline */
export const declinedSchema = tiedTo<ApiRequestDeclined>()(d.object({ request: accessRequestSchema }));

export type AccessRequestItem = d.Infer<typeof accessRequestSchema>;
export type RequestList = d.Infer<typeof requestListSchema>;
export type Approved = d.Infer<typeof approvedSchema>;
