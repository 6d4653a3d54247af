import { numberCell } from '../../src/http/csv-upload';
import { ValidationError } from '../../src/errors';
import { parseReturnCsv } from '../../src/modules/returns/returns-csv';
import { parseMarginsCsv } from '../../src/modules/weighting/margins.service';

describe('numbers in uploaded CSV files', () => {
  it.each<[string, ',' | ';', number | null | undefined]>([
    ['12.5', ',', 12.5],
    ['12,5', ',', 12.5],
    ['12,50', ',', 12.5],
    ['1,2345', ',', 1.2345],
    ['1234', ',', 1234],
    ['', ',', null],
    // A comma and three digits: thousands in English spreadsheets, a decimal comma in Polish ones.
    ['1,234', ',', undefined],
    // A leading zero is no thousands grouping.
    ['0,125', ',', 0.125],
    ['-1,234', ',', undefined],
    ['1,234,567', ',', undefined],
    // Semicolon-separated files come from spreadsheets that write decimal commas.
    ['1,234', ';', 1.234],
    ['1 234,5', ';', 1234.5],
    ['abc', ';', undefined],
  ])('%s in a file separated by "%s"', (text, delimiter, expected) => {
    expect(numberCell(text, delimiter)).toBe(expected);
  });

  const rejection = (parse: () => unknown) => {
    try {
      parse();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).details;
    }
    throw new Error('the file was accepted');
  };

  it('refuses a return whose comma-separated file groups thousands, naming the cell', () => {
    const details = rejection(() =>
      parseReturnCsv('indicator,numerator,denominator\nPL_VACANT,"1,234",5000\n'),
    );
    expect(details).toEqual([{ path: '/rows/2/numerator', message: expect.stringMatching(/ambiguous/) }]);
    // The same figure from a spreadsheet that writes decimal commas, and an unambiguous one.
    expect(
      parseReturnCsv('indicator;numerator;denominator\nPL_VACANT;1,234;5000\n').figures[0],
    ).toMatchObject({
      numerator: 1.234,
    });
    expect(parseReturnCsv('indicator,numerator,denominator\nPL_VACANT,1234,5000\n').figures[0]).toMatchObject(
      {
        numerator: 1234,
      },
    );
  });

  it('refuses margins whose comma-separated file groups thousands, naming the cell', () => {
    const details = rejection(() =>
      parseMarginsCsv('variable,category,count\nage,18-34,"1,234"\nage,35+,"2,000"\n'),
    );
    expect(details.map((d) => d.path)).toEqual(['/rows/2/count', '/rows/3/count']);
    expect(details[0]!.message).toMatch(/ambiguous/);
    expect(parseMarginsCsv('variable;category;count\nage;18-34;1234\nage;35+;2000\n')).toEqual({
      age: { '18-34': 1234, '35+': 2000 },
    });
  });
});
