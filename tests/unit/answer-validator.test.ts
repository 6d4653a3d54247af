import { validateAnswers, type FileLimits } from '../../src/modules/responses/answer-validator';
import { t } from '../../src/web/texts';

const files: FileLimits = { fileBytes: 2048, responseBytes: 3000, types: ['image/*', 'application/pdf'] };
const PNG = `data:image/png;base64,${Buffer.alloc(300, 1).toString('base64')}`;

function check(
  elements: unknown[],
  answers: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  lang = 'en',
) {
  return validateAnswers({ elements, ...extra }, answers, lang, files);
}
const paths = (r: ReturnType<typeof check>) => r.errors.map((e) => e.path);

describe('answer shapes survey-core produces are accepted, others refused with a path', () => {
  it('text without maxLength takes any ordinary answer, and is capped at 2,000 characters', () => {
    const q = [{ type: 'text', name: 'note' }];
    expect(check(q, { note: 'Winda stoi od tygodnia.' })).toEqual({
      errors: [],
      answers: { note: 'Winda stoi od tygodnia.' },
    });
    expect(paths(check(q, { note: 'x'.repeat(2001) }))).toEqual(['/answers/note']);
    expect(paths(check([{ type: 'text', name: 'note', maxLength: 5 }], { note: 'sześć!' }))).toEqual([
      '/answers/note',
    ]);
  });

  it('comments: a question comment area and the other item keep "<name>-Comment"', () => {
    const q = [
      {
        type: 'radiogroup',
        name: 'heat',
        choices: ['ok', 'cold'],
        showOtherItem: true,
        showCommentArea: false,
      },
      { type: 'rating', name: 'lift', showCommentArea: true },
    ];
    const answers = { heat: 'other', 'heat-Comment': 'za gorąco', lift: 3, 'lift-Comment': 'głośna' };
    expect(check(q, answers)).toEqual({ errors: [], answers });
    expect(paths(check(q, { ...answers, 'heat-Comment': 'x'.repeat(5001) }))).toContain(
      '/answers/heat-Comment',
    );
  });

  it('a choice-level comment is stored with its choice', () => {
    const q = [
      { type: 'checkbox', name: 'issues', choices: ['noise', { value: 'damp', showCommentArea: true }] },
    ];
    const answers = { issues: [{ value: 'damp', comment: 'w łazience' }] };
    expect(check(q, answers).errors).toEqual([]);
    expect(paths(check(q, { issues: [{ value: 'mould', comment: 'x' }] }))).toContain('/answers/issues');
  });

  it('numbers from a numeric mask and from inputType range are numbers', () => {
    const q = [
      { type: 'text', name: 'rent', maskType: 'numeric' },
      { type: 'text', name: 'noise', inputType: 'range', min: 0, max: 10 },
    ];
    expect(check(q, { rent: 1250.5, noise: 7 }).errors).toEqual([]);
    expect(paths(check(q, { noise: 'loud' }))).toEqual(['/answers/noise']);
  });

  it('calculated values and expression questions are recomputed; the client’s value is not stored', () => {
    const q = [
      { type: 'text', name: 'adults', inputType: 'number' },
      { type: 'expression', name: 'people', expression: '{adults} + 1' },
    ];
    const extra = {
      calculatedValues: [{ name: 'double', expression: '{adults} * 2', includeIntoResult: true }],
    };
    const r = check(q, { adults: 2, people: 99, double: 100 }, extra);
    expect(r).toEqual({ errors: [], answers: { adults: 2, people: 3, double: 4 } });
  });

  it('a required question disabled by enableIf may stay empty', () => {
    const q = [
      { type: 'boolean', name: 'owner' },
      { type: 'text', name: 'since', isRequired: true, enableIf: '{owner} = true' },
    ];
    expect(check(q, { owner: false }).errors).toEqual([]);
    expect(paths(check(q, { owner: true }))).toEqual(['/answers/since']);
  });

  it('a drop-down built from choicesMin/choicesMax accepts the numbers it offers', () => {
    const q = [{ type: 'dropdown', name: 'floor', choicesMin: 0, choicesMax: 10 }];
    expect(check(q, { floor: 4 }).errors).toEqual([]);
    expect(paths(check(q, { floor: 11 }))).toEqual(['/answers/floor']);
  });

  it('refuses hidden answers, unknown keys, operator keys and reserved names, each with a path', () => {
    const q = [
      { type: 'radiogroup', name: 'repair', choices: ['yes', 'no'] },
      { type: 'comment', name: 'what', visibleIf: "{repair} = 'yes'" },
    ];
    const hidden = check(q, { repair: 'no', what: 'kran' }, {}, 'pl');
    expect(hidden.errors).toEqual([{ path: '/answers/what', message: t('pl', 'answerHidden') }]);
    expect(paths(check(q, { repair: 'no', elsewhere: 1 }))).toEqual(['/answers/elsewhere']);
    expect(paths(check(q, { repair: { $gt: '' } }))).toEqual(['/answers/repair/$gt']);
    expect(paths(check(q, { constructor: 'x' }))).toEqual(['/answers/constructor']);
    expect(paths(check(q, { repair: 'maybe' }))).toEqual(['/answers/repair']);
  });

  it('matrices: unknown rows and cells outside a column’s choices are refused where they are', () => {
    const q = [
      { type: 'matrix', name: 'grid', rows: ['lift', 'stairs'], columns: [1, 2, 3] },
      {
        type: 'matrixdropdown',
        name: 'rooms',
        rows: ['kitchen'],
        columns: [{ name: 'state', cellType: 'dropdown', choices: ['good', 'poor'] }],
      },
    ];
    expect(check(q, { grid: { lift: 2 }, rooms: { kitchen: { state: 'good' } } }).errors).toEqual([]);
    expect(paths(check(q, { grid: { lift: 2, roof: 1 } }))).toEqual(['/answers/grid/roof']);
    expect(paths(check(q, { rooms: { kitchen: { state: 'burnt' } } }))).toEqual([
      '/answers/rooms/kitchen/state',
    ]);
  });

  it('dynamic panels: an error inside a panel has the panel’s index in its path', () => {
    const q = [
      {
        type: 'paneldynamic',
        name: 'people',
        templateElements: [{ type: 'text', name: 'age', inputType: 'number', isRequired: true }],
      },
    ];
    expect(check(q, { people: [{ age: 30 }, { age: 4 }] }).errors).toEqual([]);
    expect(paths(check(q, { people: [{ age: 30 }, {}] }))).toEqual(['/answers/people/1/age']);
  });

  it('multiple text, boolean, rating, ranking, tag box, image picker and slider', () => {
    const q = [
      { type: 'multipletext', name: 'contact', items: [{ name: 'phone' }, { name: 'flat' }] },
      { type: 'boolean', name: 'pets', valueTrue: 'tak', valueFalse: 'nie' },
      { type: 'rating', name: 'score', rateMin: 1, rateMax: 5 },
      { type: 'ranking', name: 'order', choices: ['a', 'b', 'c'] },
      { type: 'tagbox', name: 'tags', choices: ['x', 'y'] },
      { type: 'imagepicker', name: 'door', choices: [{ value: 'red', imageLink: PNG }] },
      { type: 'slider', name: 'temp', min: 15, max: 25 },
    ];
    const good = {
      contact: { phone: '600', flat: '4a' },
      pets: 'tak',
      score: 4,
      order: ['c', 'a', 'b'],
      tags: ['y'],
      door: 'red',
      temp: 21,
    };
    expect(check(q, good).errors).toEqual([]);
    for (const [key, bad, at] of [
      ['contact', { fax: '1' }, '/answers/contact'],
      ['pets', 'maybe', '/answers/pets'],
      ['score', 9, '/answers/score'],
      ['tags', ['z'], '/answers/tags'],
      ['door', 'blue', '/answers/door'],
      ['temp', 'warm', '/answers/temp'],
    ] as const) {
      expect([key, paths(check(q, { ...good, [key]: bad })).join(' ')]).toEqual([
        key,
        expect.stringContaining(at),
      ]);
    }
  });

  it('files and signatures: allowed types within their limits', () => {
    const q = [
      { type: 'file', name: 'photo', allowMultiple: true },
      { type: 'signaturepad', name: 'sign' },
    ];
    const photo = { name: 'a.png', type: 'image/png', content: PNG };
    expect(check(q, { photo: [photo], sign: PNG }).errors).toEqual([]);
    const exe = {
      name: 'a.exe',
      type: 'application/x-msdownload',
      content: 'data:application/x-msdownload;base64,TVo=',
    };
    expect(paths(check(q, { photo: [exe] }))).toEqual(['/answers/photo']);
    const big = { ...photo, content: `data:image/png;base64,${Buffer.alloc(4096).toString('base64')}` };
    expect(paths(check(q, { photo: [big] }))).toEqual(['/answers/photo']);
    expect(
      paths(
        check(q, { photo: [photo, photo, photo, photo, photo, photo, photo, photo, photo, photo, photo] }),
      ),
    ).toEqual(['/answers']);
    expect(paths(check(q, { sign: 'not a data url' }))).toEqual(['/answers/sign']);
  });

  it('a catastrophic pattern runs in linear time: a 40-character answer is judged at once', () => {
    // On a backtracking engine this answer takes 2^40 steps; the test would never end.
    const q = [{ type: 'text', name: 'code', validators: [{ type: 'regex', regex: '^(a+)+$' }] }];
    expect(paths(check(q, { code: `${'a'.repeat(40)}!` }))).toEqual(['/answers/code']);
    expect(check(q, { code: 'aaaa' }).errors).toEqual([]);
  });

  it('survey-core’s own messages come in the tenant’s language', () => {
    const q = [{ type: 'text', name: 'name', isRequired: true }];
    const [en] = check(q, {}, {}, 'en').errors;
    const [pl] = check(q, {}, {}, 'pl').errors;
    expect(en!.path).toBe('/answers/name');
    expect(pl!.message).not.toBe(en!.message);
  });
});
