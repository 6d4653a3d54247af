import { csvCell } from '../../src/http/route';

describe('one CSV cell per answer', () => {
  it.each<[string, unknown, string]>([
    ['a list of choices', ['noise', 'damp'], 'noise;damp'],
    [
      'a file answer',
      [{ name: 'a.png', type: 'image/png', content: 'data:image/png;base64,AA==' }],
      '"[{""name"":""a.png"",""type"":""image/png"",""content"":""data:image/png;base64,AA==""}]"',
    ],
    ['a dynamic panel', [{ age: 41 }, { age: 7 }], '"[{""age"":41},{""age"":7}]"'],
    ['a matrix', { lift: 2 }, '"{""lift"":2}"'],
    ['a formula from an answer', '=1+1', "'=1+1"],
    ['a negative number', -3, '-3'],
  ])('%s', (_label, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
