// The error body of every /api route (see index.ts for what these types promise).

/** The body of every non-2xx /api answer: `error` is a code such as `INVALID_POLICY`. */
export interface ApiErrorBody {
  /**
   * One of common/error-codes.ts from Keycard's server; the UI reads any string here (a proxy in front of the
   * server may answer too): it acts on the status and the few codes it knows, and shows the rest.
   */
  error: string;
  /** Safe to show; English. */
  message: string;
}
