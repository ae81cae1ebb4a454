import { describe, expect, it } from 'vitest';
import { generateCompany } from '../emulator/company.js';
import { Directory } from '../emulator/directory.js';

describe('generateCompany', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const first = generateCompany({ users: 500, seed: 7 });
    const again = generateCompany({ users: 500, seed: 7 });
    const other = generateCompany({ users: 500, seed: 8 });
    expect(again).toEqual(first);
    expect(other.users.map((user) => user.name)).not.toEqual(first.users.map((user) => user.name));
  });

  it('builds a department tree at least five levels deep with a root without parent', () => {
    const company = generateCompany({ users: 200, seed: 1 });
    const directory = new Directory(company);
    const root = company.departments[0];
    expect(root).toMatchObject({ id: 1, parent: null });
    expect(Math.max(...company.departments.map((department) => directory.depth(department.id)))).toBeGreaterThanOrEqual(
      5,
    );
    for (const department of company.departments.slice(1)) {
      expect(department.parent).not.toBeNull();
      expect(directory.department(department.parent ?? 0)).toBeDefined();
    }
  });

  it('appoints heads who are active members of their department', () => {
    const company = generateCompany({ users: 300, seed: 3 });
    const directory = new Directory(company);
    const withHead = company.departments.filter((department) => department.head !== null);
    expect(withHead.length).toBeGreaterThan(company.departments.length / 2);
    expect(company.departments[0]?.head).toBe(1);
    for (const department of withHead.slice(1)) {
      const head = directory.user(department.head ?? 0);
      expect(head?.active).toBe(true);
      expect(head?.departments).toContain(department.id);
    }
  });

  it('fires about 5% of users, never an admin, and keeps extranet users out of departments', () => {
    const company = generateCompany({ users: 1000, seed: 2 });
    const fired = company.users.filter((user) => !user.active);
    const extranet = company.users.filter((user) => user.type === 'extranet');
    const admins = company.users.filter((user) => user.admin);
    expect(fired).toHaveLength(50);
    expect(fired.some((user) => user.admin)).toBe(false);
    expect(extranet.length).toBeGreaterThanOrEqual(10);
    expect(extranet.every((user) => user.departments.length === 0)).toBe(true);
    expect(company.users.filter((user) => user.type === 'employee').every((user) => user.departments.length > 0)).toBe(
      true,
    );
    expect(admins.length).toBeGreaterThanOrEqual(3);
    expect(company.users[0]).toMatchObject({ id: 1, admin: true, active: true, type: 'employee' });
  });

  it('uses increasing IDs from 1 with gaps, unique e-mails, non-ASCII and hostile names early on', () => {
    const company = generateCompany({ users: 1000, seed: 1 });
    const ids = company.users.map((user) => user.id);
    expect(ids[0]).toBe(1);
    expect(ids.every((id, index) => index === 0 || id > (ids[index - 1] ?? 0))).toBe(true);
    expect(ids[ids.length - 1]).toBeGreaterThan(ids.length);
    expect(new Set(company.users.map((user) => user.email)).size).toBe(company.users.length);
    const early = company.users.slice(0, 30).map((user) => `${user.name} ${user.lastName}`);
    const all = company.users.map((user) => `${user.name} ${user.lastName}`).join('\n');
    expect(early.join('\n')).toContain('<script>alert(1)</script>');
    expect(early.join('\n')).toContain('"><img src=x onerror=alert(1)>');
    expect(early.join('\n')).toContain("Robert'); DROP TABLE");
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
    expect(all).toMatch(/\p{Script=Cyrillic}/u);
    expect(all).toMatch(/[éèüøłçñ]/);
  });

  it('creates workgroups with owners, moderators and members, some extranet', () => {
    const company = generateCompany({ users: 400, seed: 5 });
    const directory = new Directory(company);
    expect(company.groups.length).toBeGreaterThanOrEqual(3);
    for (const group of company.groups) {
      expect(directory.user(group.ownerId)).toBeDefined();
      expect([...group.moderators, ...group.members].every((id) => directory.user(id) !== undefined)).toBe(true);
    }
    const extranetGroup = company.groups.find((group) => group.extranet);
    expect(extranetGroup?.members.some((id) => directory.user(id)?.type === 'extranet')).toBe(true);
  });

  // How fast is the sync benchmark's business (it generates 50k-user companies); timing a unit test only flakes.
  it('generates 100k users and 2k departments', () => {
    const company = generateCompany({ users: 100_000, departments: 2000, seed: 42 });
    expect(company.users).toHaveLength(100_000);
    expect(company.departments).toHaveLength(2000);
    expect(company.users.filter((user) => !user.active)).toHaveLength(5000);
  });
});
