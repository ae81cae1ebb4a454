import type { RequestHandler } from 'express';
import { BadRequestError } from '../../errors.js';
import { eventSchema } from '../../bitrix/schemas.js';
import { handleEvent, type EventDeps } from '../../portals/lifecycle-events.js';

/** `POST /events`: Bitrix24 events, form-encoded (`auth[...]`) or JSON. */
export function eventsRoute(deps: EventDeps): RequestHandler {
  return async (req, res) => {
    const parsed = eventSchema.safeParse(req.body);
    if (!parsed.success)
      throw new BadRequestError('BAD_EVENT', 'This is not a Bitrix24 event payload.', { cause: parsed.error });
    res.status(200).json({ result: await handleEvent(deps, parsed.data) });
  };
}
