import type { CompanyUser } from '../company.js';
import type { Portal } from '../portal.js';
import type { Params } from './params.js';
import type { TimeBlock } from './time.js';

/** Who is calling, with what token, and how to run a nested call (batch). */
export interface MethodContext {
  portal: Portal;
  user: CompanyUser;
  token: string;
  /** Runs another method with the same token, as one command of a batch. */
  call(method: string, params: Params): CallOutcome;
}

/** What a method produced; `rows`/`counted` feed the simulated operating time. */
export interface MethodOutput {
  result: unknown;
  total?: number;
  next?: number;
  /** Rows returned. */
  rows?: number;
  /** Rows scanned to count `total` (0 with `start=-1`). */
  counted?: number;
  /** Rows an offset page read past before its first row (`start`; 0 with `start=-1`). */
  skipped?: number;
}

export interface MethodDefinition {
  /** Any one of these scopes allows the call; empty means scope `basic` (always granted). */
  scopes: readonly string[];
  /** Portal admins only (`placement.bind` & co.): others get 403 ACCESS_DENIED. */
  adminOnly?: boolean;
  /** Refused inside a batch with ERROR_BATCH_METHOD_NOT_ALLOWED. */
  notInBatch?: boolean;
  /** The outer `batch` call itself is not counted against the operating limit; its commands are. */
  skipOperating?: boolean;
  handler(context: MethodContext, params: Params): MethodOutput;
}

export type CallOutcome =
  | { ok: true; result: unknown; total?: number; next?: number; time: TimeBlock }
  | { ok: false; status: number; error: string; description: string };
