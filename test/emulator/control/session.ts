import type { Request, Response } from 'express';
import type { CompanyUser } from '../company.js';
import type { Portal } from '../portal.js';

/** Cookie naming the portal user a browser acts as (the page's user switcher). */
export const USER_COOKIE = 'em_user';

function cookieValue(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** The browser's current user: the one in the cookie if it exists, else the portal admin. */
export function currentUser(portal: Portal, req: Request): CompanyUser {
  const raw = cookieValue(req, USER_COOKIE);
  const id = raw === undefined ? Number.NaN : Number(raw);
  return (Number.isInteger(id) ? portal.directory.user(id) : undefined) ?? portal.defaultUser();
}

export function setCurrentUser(res: Response, userId: number): void {
  res.cookie(USER_COOKIE, String(userId), { path: '/', sameSite: 'lax', httpOnly: false });
}
