import {
  MAX_PREFIX,
  normalise,
  prefixesOf,
  queryWords,
  rank,
  searchTerms,
  termOf,
  tokenise,
  uniqueTokens,
  wordMatches,
} from '../../src/modules/practices/search-text';

describe('normalise', () => {
  it('folds Polish letters, ł included, and lower-cases', () => {
    expect(normalise('Windykacja ZALEGŁOŚCI czynszowych')).toBe('windykacja zaleglosci czynszowych');
    expect(normalise('Łódź, Żółć, Gęś')).toBe('lodz, zolc, ges');
  });

  it('folds other Latin diacritics, decomposed input too', () => {
    expect(normalise('Straße Müller Ærø Crème')).toBe('straße muller ærø creme');
    expect(normalise('Cre\u0300me')).toBe('creme');
    expect(normalise('İstanbul')).toBe('istanbul');
  });

  it('applies NFKC: ligatures and full-width forms', () => {
    expect(normalise('ﬁnanse')).toBe('finanse');
    expect(normalise('ＴＰ０１')).toBe('tp01');
  });

  it('keeps Cyrillic й and ї, maps ё to е', () => {
    expect(normalise('Київ Йосип Ремонт під’їздів')).toBe('київ йосип ремонт під їздів');
    expect(normalise('Ёлка')).toBe('елка');
    // й written as и + combining breve is composed by NFKC, not stripped.
    expect(normalise('и\u0306')).toBe('й');
    expect(normalise('і\u0308')).toBe('ї');
  });

  it('leaves Georgian as it is', () => {
    const text = 'ბინათმესაკუთრეთა ამხანაგობების სახურავის შეკეთება';
    expect(normalise(text)).toBe(text);
  });
});

describe('tokenise', () => {
  it('splits on anything but letters and digits', () => {
    expect(tokenise('Ugody ratalne (2024/25): 87% spłat!')).toEqual([
      'ugody',
      'ratalne',
      '2024',
      '25',
      '87',
      'splat',
    ]);
  });

  it('treats every apostrophe the same', () => {
    const expected = ['ремонт', 'під', 'їздів'];
    for (const apostrophe of ["'", '’', 'ʼ', '‘'])
      expect(tokenise(`Ремонт під${apostrophe}їздів`)).toEqual(expected);
  });

  it('gives the same tokens with and without diacritics', () => {
    expect(tokenise('zaległości czynszowych')).toEqual(tokenise('zaleglosci CZYNSZOWYCH'));
  });

  it('unique tokens over several texts', () => {
    expect(uniqueTokens(['Raty i raty', 'RATY ugody'])).toEqual(['raty', 'i', 'ugody']);
  });
});

describe('prefixes', () => {
  it('stores the token and its prefixes from three characters', () => {
    expect(prefixesOf('zaleglosci').sort()).toEqual(
      ['zal', 'zale', 'zaleg', 'zalegl', 'zaleglo', 'zaleglos', 'zaleglosc', 'zaleglosci'].sort(),
    );
    expect(prefixesOf('abc')).toEqual(['abc']);
    expect(prefixesOf('ab')).toEqual(['ab']);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(prefixesOf('სახური').sort()).toEqual(['სახ', 'სახუ', 'სახურ', 'სახური'].sort());
  });

  it('caps prefixes, and long query words are looked up by their capped prefix', () => {
    const long = 'a'.repeat(40);
    const stored = prefixesOf(long);
    expect(Math.max(...stored.filter((p) => p !== long).map((p) => p.length))).toBe(MAX_PREFIX);
    expect(stored).toContain(termOf('a'.repeat(30)));
    expect(termOf('abc')).toBe('abc');
  });

  it('search terms are unique', () => {
    const terms = searchTerms(['zaleglosci', 'zaleglosc']);
    expect(new Set(terms).size).toBe(terms.length);
    expect(terms).toContain('zaleglosc');
  });
});

describe('query words and ranking', () => {
  it('query words are normalised and unique', () => {
    expect(queryWords('Zaległości zaleglosci UGODY')).toEqual(['zaleglosci', 'ugody']);
    expect(queryWords(' !!! ')).toEqual([]);
  });

  it('a word of three or more letters finds longer words; shorter words only whole ones', () => {
    expect(wordMatches('zal', 'zaleglosci')).toBe(true);
    expect(wordMatches('za', 'zaleglosci')).toBe(false);
    expect(wordMatches('za', 'za')).toBe(true);
    expect(wordMatches('zaleglosci', 'zal')).toBe(false);
  });

  it('ranks title 3, summary 2, body and topics 1 per word, and 0 when a word is missing', () => {
    const fields = {
      title: ['windykacja', 'zaleglosci'],
      summary: ['ugody', 'ratalne'],
      other: ['raty', 'zaleglosci', 'najemcy'],
    };
    expect(rank(fields, ['zaleg'])).toBe(3 + 1);
    expect(rank(fields, ['ugod'])).toBe(2);
    expect(rank(fields, ['ugod', 'zal'])).toBe(2 + (3 + 1));
    expect(rank(fields, ['najem'])).toBe(1);
    expect(rank(fields, ['ugod', 'eksmisja'])).toBe(0);
    expect(rank(fields, ['ra'])).toBe(0);
  });

  it('finds Georgian and Cyrillic by prefix', () => {
    const ka = uniqueTokens(['ბინათმესაკუთრეთა ამხანაგობების სახურავის შეკეთება']);
    expect(rank({ title: ka, summary: [], other: [] }, queryWords('სახურავ'))).toBe(3);
    const uk = uniqueTokens(['Ремонт під’їздів разом з мешканцями']);
    expect(rank({ title: [], summary: uk, other: [] }, queryWords('мешкан ремонт'))).toBe(4);
  });
});
