// The B24Frame postMessage protocol as Bitrix24's parent page (BX.rest.AppLayout) speaks it.
//
// Frame → portal (see @bitrix24/b24jssdk frame/message/controller.mjs, MessageManager.send):
//   string  "command:params:callbackKey:appSid"   params = JSON (or a raw string for isRawValue)
//   string  "command:callbackKey:appSid"          when the command has no params
//   object  { method, params, callback, appSid, requestId }   when the command name contains ':'
// The params may contain ':' themselves, so the string is split like Bitrix24 does: the first
// segment is the command, the LAST the appSid, the one before it the callback key, the rest params.
//
// Portal → frame: iframe.contentWindow.postMessage(callbackKey + ':' + JSON.stringify(result), appOrigin)
// (an empty payload after ':' when the result is undefined). The SDK splits at the first ':' and
// JSON-parses the rest (MessageManager._runCallback).

/**
 * Parses a message posted by the app frame. Returns null for anything that is not a B24Frame command.
 * @returns {{ command: string, params: any, rawParams: string, callback: string, appSid: string, isObject: boolean } |
 * null}
 */
export function parseFrameMessage(data) {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    if (typeof data.method !== 'string' || data.method === '') return null;
    return {
      command: data.method,
      params: data.params ?? {},
      rawParams: '',
      callback: typeof data.callback === 'string' ? data.callback : '',
      appSid: typeof data.appSid === 'string' ? data.appSid : '',
      isObject: true,
    };
  }
  if (typeof data !== 'string' || data === '') return null;
  const parts = data.split(':');
  if (parts.length < 3 || parts[0] === '') return null;
  const rawParams = parts.slice(1, -2).join(':');
  let params = {};
  if (rawParams !== '') {
    try {
      params = JSON.parse(rawParams);
    } catch {
      params = rawParams; // isRawValue commands (placement setValue) send a plain string
    }
  }
  return {
    command: parts[0],
    params,
    rawParams,
    callback: parts[parts.length - 2],
    appSid: parts[parts.length - 1],
    isObject: false,
  };
}

/** The answer string for a callback key, exactly as Bitrix24 formats it. */
export function formatReply(callback, result) {
  return `${callback}:${result === undefined ? '' : JSON.stringify(result)}`;
}

/** The origin the SDK inside the frame posts to (window.name DOMAIN/PROTOCOL, see frame/frame.mjs). */
export function portalOriginFor(domain, protocol) {
  const host = String(domain ?? '').replace(/:(80|443)$/, '');
  return `${Number.parseInt(String(protocol ?? '0'), 10) === 1 ? 'https' : 'http'}://${host}`;
}

const SECRET_KEY = /auth|refresh|token|secret|password|session|^sid$/i;

/** A copy of `value` with every secret-looking key replaced by "•••" (for the log panel). */
export function redact(value, depth = 0) {
  if (depth > 6) return '…';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && key !== 'AUTH_EXPIRES' ? '•••' : redact(item, depth + 1);
    }
    return out;
  }
  return value;
}

/** A short one-line, redacted description of a value for the log panel. */
export function summarize(value, max = 160) {
  if (value === undefined || value === '' || (value && typeof value === 'object' && Object.keys(value).length === 0))
    return '';
  let text;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(redact(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Merges app/user options kept by the portal into the ones the server put into initData. */
export function mergeOptions(base, extra) {
  const hasExtra = extra && Object.keys(extra).length > 0;
  if (!hasExtra) return base ?? {};
  const plainBase = base && typeof base === 'object' && !Array.isArray(base) ? base : {};
  return { ...plainBase, ...extra };
}

/**
 * Whether a picker or the access dialog closed without choosing gets no answer at all. Real Bitrix24 never answers
 * then (rest `applayout.js`: BX.Access calls back only from Select; `sdk/bx24-js-sdk/system-dialogues/index.md`:
 * "If the user closes the dialog without selecting anything, the handler is not called"). The emulator answers
 * `[]`/`null` unless the page was opened with `?cancel=silent` or the emulator's `dialogCancel` option is `silent`.
 */
export function silentCancel(cancelParam, dialogCancel) {
  return cancelParam === 'silent' || dialogCancel === 'silent';
}
