import type { ApiPolicyResponse } from './access.js';

/** One access request as the Requests tab reads it (GET /api/access-requests and the decisions' answers). */
export interface ApiAccessRequest {
  id: string;
  userId: string;
  name: string;
  /** Plain text (the UI shows it as text). */
  message: string;
  /** The feature the person lacked, when they asked from a placement. */
  feature?: string | undefined;
  status: 'open' | 'approved' | 'declined';
  /** ms since the epoch */
  createdAt: number;
  decidedAt?: number | undefined;
  decidedBy?: { id: string; name: string } | undefined;
  reason?: string | undefined;
  approvedAs?: { kind: 'allowList' } | { kind: 'role'; role: string } | undefined;
}

/** GET /api/access-requests: open first (oldest first), then decided (newest first), and how many are open. */
export interface ApiAccessRequestList {
  requests: ApiAccessRequest[];
  open: number;
}

/** GET /api/access-requests/count */
export interface ApiAccessRequestCount {
  open: number;
}

/** POST /api/access-requests/:id/approve: the decided request and the access settings as saved. */
export interface ApiRequestApproved {
  request: ApiAccessRequest;
  policy: ApiPolicyResponse;
}

/** POST /api/access-requests/:id/decline */
export interface ApiRequestDeclined {
  request: ApiAccessRequest;
}
