/**
 * Up to two initials of a name, letters only: the kit's own fallback takes the first code unit of each word, which
 * shows "<<" for a name such as "<script>" and half an emoji for "Zoë 🚀".
 */
export function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .map((word) => /\p{L}/u.exec(word)?.[0] ?? '')
    .filter((letter) => letter !== '')
    .slice(0, 2)
    .join('')
    .toUpperCase();
}
