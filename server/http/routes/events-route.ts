import type { RequestHandler } from 'express';
import { BadRequestError } from '../../errors.js';
import { eventSchema } from '../../bitrix/schemas.js';
import { handleEvent } from '../../portals/lifecycle-events.js';
import type { Services } from '../../services.js';

/** `POST /events`: Bitrix24 events, form-encoded (`auth[...]`) or JSON. */
export function eventsRoute(services: Services): RequestHandler {
  return async (req, res) => {
    const parsed = eventSchema.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError('BAD_EVENT', 'This is not a Bitrix24 event payload.', { cause: parsed.error });
    const outcome = await handleEvent(services, parsed.data);
    res.status(200).json({ result: outcome });
  };
}
