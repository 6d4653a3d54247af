import { csvCell } from '../../src/http/route';

describe('one CSV cell per answer', () => {
  it.each<[string, unknown, string]>([
    ['a list of choices', ['noise', 'damp'], '"noise;damp"'],
    ['a formula after a semicolon', "ok;=cmd|' /C calc'!A0", '"ok;=cmd|\' /C calc\'!A0"'],
    ['a formula among the choices', ['a', '=1+1'], '"a;=1+1"'],
    ['a formula after a tab', 'ok\t=1+1', '"ok\t=1+1"'],
    [
      'a file answer',
      [{ name: 'a.png', type: 'image/png', content: 'data:image/png;base64,AA==' }],
      '"[{""name"":""a.png"",""type"":""image/png"",""content"":""data:image/png;base64,AA==""}]"',
    ],
    ['a dynamic panel', [{ age: 41 }, { age: 7 }], '"[{""age"":41},{""age"":7}]"'],
    ['a matrix', { lift: 2 }, '"{""lift"":2}"'],
    ['a formula from an answer', '=1+1', "'=1+1"],
    ['a negative number', -3, '-3'],
    ['a negative decimal typed as text', '-2.5', '-2.5'],
    ['a minus followed by a formula', '-1+cmd|calc', "'-1+cmd|calc"],
    ['a minus and a cell reference', '-A1', "'-A1"],
    ['a minus, digits and a function', '-2+SUM(A1:A9)', "'-2+SUM(A1:A9)"],
  ])('%s', (_label, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
