import { buildPhpQuery } from './php-query.js';

/** One delivery attempt, kept for tests and the portal page. */
export interface EventDelivery {
  event: string;
  url: string;
  /** HTTP status, or 0 when the request failed. */
  status: number;
  error?: string;
  /** Milliseconds since the epoch (wall clock). */
  at: number;
}

export interface EventSenderOptions {
  fetch: typeof fetch;
  log: (line: string) => void;
  timeoutMs?: number;
  onDelivered?: (delivery: EventDelivery) => void;
}

const LOG_LIMIT = 500;

/**
 * Posts events the way Bitrix24 does: `application/x-www-form-urlencoded` with PHP bracket nesting,
 * fire-and-forget, no retries (a failed delivery is logged and dropped).
 * @see https://apidocs.bitrix24.com/api-reference/events/index.html
 */
export class EventSender {
  readonly #options: EventSenderOptions;
  readonly #pending = new Set<Promise<void>>();
  readonly deliveries: EventDelivery[] = [];

  constructor(options: EventSenderOptions) {
    this.#options = options;
  }

  send(url: string, payload: { event: string } & Record<string, unknown>): void {
    const delivery = this.#deliver(url, payload);
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }

  /** Resolves when every event sent so far (and any sent meanwhile) has been delivered or has failed. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #deliver(url: string, payload: { event: string } & Record<string, unknown>): Promise<void> {
    const record: EventDelivery = { event: payload.event, url, status: 0, at: Date.now() };
    try {
      const response = await this.#options.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
        body: buildPhpQuery(payload),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
      });
      record.status = response.status;
      await response.body?.cancel();
      if (!response.ok) this.#options.log(`event ${payload.event} → ${url}: HTTP ${response.status}`);
    } catch (error: unknown) {
      record.error = error instanceof Error ? error.message : String(error);
      this.#options.log(`event ${payload.event} → ${url} failed: ${record.error}`);
    }
    this.deliveries.push(record);
    if (this.deliveries.length > LOG_LIMIT) this.deliveries.shift();
    this.#options.onDelivered?.(record);
  }
}
