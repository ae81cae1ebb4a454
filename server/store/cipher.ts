import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** An encrypted value as stored: AES-256-GCM, base64url parts, and the id of the key that sealed it. */
export const sealedSchema = z.object({
  kid: z.string(),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
});
export type Sealed = z.infer<typeof sealedSchema>;

const TAG_BYTES = 16;

interface Key {
  id: string;
  bytes: Buffer;
}

/** Derives a purpose-bound 32-byte key from a configured secret, so one SECRET_KEY can serve several uses. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'keycard', purpose, 32));
}

/**
 * Seals and opens secrets at rest. The first key seals; every key opens, so SECRET_KEY can rotate by
 * putting the new key first and keeping the old one after it until every record was rewritten.
 */
export class Cipher {
  readonly #keys: [Key, ...Key[]];

  constructor(deps: { secrets: readonly [string, ...string[]] }) {
    const toKey = (secret: string): Key => {
      const bytes = deriveKey(secret, 'keycard/tokens/v1');
      return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 12), bytes };
    };
    const [first, ...rest] = deps.secrets;
    this.#keys = [toKey(first), ...rest.map(toKey)];
  }

  /** Encrypts `plaintext`; `context` (e.g. the member id) is authenticated, so a record cannot be moved. */
  seal(plaintext: string, context: string): Sealed {
    const key = this.#keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      kid: key.id,
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      data: data.toString('base64url'),
    };
  }

  /** Decrypts a sealed value; throws if the key is unknown, the context differs or the data was tampered with. */
  open(sealed: Sealed, context: string): string {
    const key = this.#keys.find((candidate) => candidate.id === sealed.kid);
    if (key === undefined) throw new Error(`no configured key has id ${sealed.kid}`);
    const tag = Buffer.from(sealed.tag, 'base64url');
    // Node accepts GCM tags of 4–16 bytes and compares only that many: a cut tag would be far easier to forge.
    if (tag.length !== TAG_BYTES) throw new Error('sealed value has a malformed authentication tag');
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(sealed.iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when the value was sealed with an older key and should be re-sealed on the next write. */
  isStale(sealed: Sealed): boolean {
    return sealed.kid !== this.#keys[0].id;
  }
}
