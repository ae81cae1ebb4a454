import { isoDate, unixSeconds } from '../clock.js';
import type { Portal } from '../portal.js';

/** The `time` block every successful answer carries. @see https://apidocs.bitrix24.com/api-reference/data-types.html */
export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

/** Builds the block for a call that "took" `processingSeconds` of simulated time. */
export function timeBlock(portal: Portal, method: string, startMs: number, processingSeconds: number): TimeBlock {
  const finishMs = startMs + processingSeconds * 1000;
  const operating = portal.operating;
  return {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration: processingSeconds,
    processing: processingSeconds,
    date_start: isoDate(startMs),
    date_finish: isoDate(finishMs),
    operating_reset_at: operating === null ? unixSeconds(startMs) + 600 : operating.resetAt(method),
    operating: operating === null ? 0 : Number(operating.used(method).toFixed(6)),
  };
}
