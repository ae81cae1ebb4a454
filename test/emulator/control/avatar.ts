import type { CompanyUser } from '../company.js';

const COLORS = ['#2fc6f6', '#9dcf00', '#ff5752', '#ffa900', '#55d0e0', '#a77bde', '#f7a700', '#11a9d9'];

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A small SVG avatar with the user's initials, so photos work without network access. */
export function avatarSvg(user: CompanyUser): string {
  const initials = [...`${[...user.name][0] ?? ''}${[...user.lastName][0] ?? ''}`].join('').toUpperCase();
  const color = COLORS[user.id % COLORS.length] ?? '#2fc6f6';
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">' +
    `<rect width="100" height="100" rx="50" fill="${color}"/>` +
    `<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="40" fill="#fff">${escapeXml(initials)}</text>` +
    '</svg>'
  );
}
