import type { Request } from 'express';
import { pickLang, type Lang } from '../manifest.js';

/** The UI language of a frame request, from Bitrix24's `LANG` query parameter. */
export function langOf(req: Request): Lang {
  return pickLang(typeof req.query['LANG'] === 'string' ? req.query['LANG'] : undefined);
}
