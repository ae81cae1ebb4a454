import { describe, expect, it } from 'vitest';
import { buildPhpQuery, parsePhpQuery } from '../emulator/php-query.js';

describe('PHP query strings', () => {
  it('parses nested brackets, appends with [], decodes + and %XX, renames dots in top-level names', () => {
    expect(parsePhpQuery('FILTER[%3EID]=5&order[ID]=ASC&start=-1')).toEqual({
      FILTER: { '>ID': '5' },
      order: { ID: 'ASC' },
      start: '-1',
    });
    expect(parsePhpQuery('ACCESS[]=U1&ACCESS[]=AU&name=John+Smith&x=%D0%AF')).toEqual({
      ACCESS: { 0: 'U1', 1: 'AU' },
      name: 'John Smith',
      x: 'Я',
    });
    expect(parsePhpQuery('a.b=1&c[d.e]=2')).toEqual({ a_b: '1', c: { 'd.e': '2' } });
    expect(parsePhpQuery('FILTER[>ID]=$result[u0][49][ID]')).toEqual({ FILTER: { '>ID': '$result[u0][49][ID]' } });
  });

  it('builds what PHP http_build_query builds and round-trips through the parser', () => {
    const data = {
      event: 'ONAPPUNINSTALL',
      data: { CLEAN: 1, LIST: [1, 2] },
      flag: true,
      off: false,
      skip: null,
      name: 'a b&c',
    };
    const built = buildPhpQuery(data);
    expect(built).toBe(
      'event=ONAPPUNINSTALL&data%5BCLEAN%5D=1&data%5BLIST%5D%5B0%5D=1&data%5BLIST%5D%5B1%5D=2&flag=1&off=0&name=a+b%26c',
    );
    expect(parsePhpQuery(built)).toEqual({
      event: 'ONAPPUNINSTALL',
      data: { CLEAN: '1', LIST: { 0: '1', 1: '2' } },
      flag: '1',
      off: '0',
      name: 'a b&c',
    });
  });
});
