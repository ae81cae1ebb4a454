/**
 * Name pools of the generated company: plain English names mixed with Cyrillic, accented, Asian and
 * right-to-left ones, so every screen that shows a name is exercised with non-ASCII text.
 */
export const FIRST_NAMES_M = [
  'James', 'Oliver', 'Liam', 'Noah', 'Ethan', 'Lucas', 'Mason', 'Logan', 'Jacob', 'Daniel',
  'Алексей', 'Дмитрий', 'Сергей', 'Иван', 'Михаил', 'Андрей', 'Никита', 'Павел',
  'Jürgen', 'François', 'Søren', 'Łukasz', 'José', 'Björn', 'Ørjan', 'Çağan', 'Jiří', 'Ángel',
  'Wei', 'Hiroshi', 'Минхо', 'Mohammed', 'Tomás', 'Niklas', 'Matthias', 'Raphaël',
];

export const FIRST_NAMES_F = [
  'Mary', 'Emma', 'Olivia', 'Ava', 'Sophia', 'Isabella', 'Mia', 'Charlotte', 'Amelia', 'Harper',
  'Мария', 'Анна', 'Ольга', 'Екатерина', 'Наталья', 'Татьяна', 'Елена', 'Ксения',
  'Zoë', 'Małgorzata', 'Inês', 'Noémie', 'Ågot', 'Chloé', 'Zuzana', 'Åsa', 'Renée', 'Dörte',
  'Mei', 'Yuki', 'Fatima', 'Lucía', 'Sinéad', 'Léa', 'Mónica', 'Ľudmila',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Clark',
  'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов',
  'Müller', 'Schröder', 'Dubois', 'Lefèvre', 'Kowalski', 'Wiśniewski', 'García', 'Núñez', 'Østergaard',
  "O'Brien", "D'Angelo", 'Nguyễn', 'Tanaka', 'Zhang', 'Al-Hassan', 'Van der Berg', 'Özdemir', 'Dvořák',
];

export const POSITIONS = [
  'Sales Manager', 'Account Executive', 'Software Engineer', 'Senior Developer', 'QA Engineer',
  'Product Manager', 'Designer', 'Accountant', 'HR Specialist', 'Recruiter', 'Support Engineer',
  'Marketing Manager', 'Data Analyst', 'Office Manager', 'Lawyer', 'DevOps Engineer',
  'Менеджер по продажам', 'Бухгалтер', 'Инженер-программист', 'Chef de projet', 'Entwicklerin',
  'Team Lead', 'Intern', '', 'Logistics Coordinator', 'Technical Writer',
];

/** Names that break naive HTML, SQL, template and text handling. They appear early (IDs < 30) and then repeat. */
export const HOSTILE_NAMES: ReadonlyArray<{ name: string; lastName: string; position: string }> = [
  { name: '<script>alert(1)</script>', lastName: 'Scripter', position: 'Security Tester' },
  { name: 'Imogen', lastName: '"><img src=x onerror=alert(1)>', position: '<b>Bold</b> Manager' },
  { name: "Robert'); DROP TABLE", lastName: 'Students;--', position: "'; DELETE FROM users; --" },
  { name: 'Zoë 🚀', lastName: 'Ünïcødé 👩🏽‍💻', position: 'Chief Emoji Officer ✨' },
  { name: 'محمد', lastName: 'الحسن', position: 'مهندس' },
  { name: '{{constructor.constructor("alert(1)")()}}', lastName: '${7*7}', position: '#{7*7}' },
  { name: 'Zalgo', lastName: 'Z̸̢̛a̴͖l̷g̶o̵', position: '\u202Eevil\u202C Manager' },
  { name: 'Hubert Blaine', lastName: 'Wolfeschlegelsteinhausenbergerdorff', position: 'Very Long Title '.repeat(8).trim() },
];

export const TOP_DEPARTMENTS = [
  'Sales', 'Marketing', 'Research & Development', 'Finance', 'Human Resources', 'Operations',
  'Customer Support', 'Legal', 'IT', 'Отдел продаж', 'Logistique & Qualité', 'Product <Design>',
];

export const SUB_DEPARTMENTS = [
  'EMEA', 'Americas', 'APAC', 'DACH', 'Nordics', 'Key Accounts', 'Inside Sales', 'Partners',
  'Backend', 'Frontend', 'Mobile', 'Platform', 'QA', 'Data', 'Payroll', 'Recruiting', 'Benefits',
  'Procurement', 'Warehouse', 'Группа разработки', 'Служба поддержки', 'Équipe Sud', 'Team "Alpha"',
  'Team Beta', 'Growth', 'Brand', 'Events', 'Tier 1', 'Tier 2', 'Compliance', 'Contracts',
];

export const GROUP_NAMES = [
  'Website relaunch', 'Office move', 'Quarterly planning', 'Проект «Север»', 'Onboarding',
  'Customer advisory board', 'Security champions', 'Book club 📚', 'Partner portal', 'Café & Kuchen',
  'Hackathon <2026>', 'Migration to cloud', 'Trade show', 'Internal tools', 'Mentoring',
];

const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k',
  л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts',
  ч: 'ch', ш: 'sh', щ: 'sch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

const slugs = new Map<string, string>();

/** ASCII local part for an e-mail address: transliterated Cyrillic, diacritics dropped, the rest removed. */
export function asciiSlug(text: string): string {
  // Names come from small pools, so a cache makes 100k e-mails cheap.
  const cached = slugs.get(text);
  if (cached !== undefined) return cached;
  const slug = computeSlug(text);
  if (slugs.size < 10_000) slugs.set(text, slug);
  return slug;
}

function computeSlug(text: string): string {
  let out = '';
  for (const char of text.toLowerCase().normalize('NFD')) {
    const mapped = CYRILLIC[char];
    if (mapped !== undefined) out += mapped;
    else if (/[a-z0-9]/.test(char)) out += char;
  }
  return out.slice(0, 24);
}
