import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { json } from '@codemirror/lang-json';
import { EditorState } from '@codemirror/state';
import { ElementFactory, Serializer } from 'survey-core';
import {
  classesOf,
  cursorContext,
  surveyCompletion,
  typeValues,
  type SurveyCoreLike,
} from '../../console/pages/admin/completion';
import {
  definitionPointer,
  pointerRange,
  pointerSegments,
  syntaxErrorPosition,
} from '../../console/pages/admin/json-pointer';

/** The survey editor's reading of JSON: problems placed at their pointers, and completion. */
const core = { Serializer, ElementFactory } as unknown as SurveyCoreLike;

const definition = {
  title: { default: 'Pulse', ka: 'პულსი' },
  pages: [
    {
      name: 'p1',
      elements: [
        { type: 'radiogroup', name: 'overall', choices: ['a', 'b'], 'a/b': 1 },
        { type: 'text', name: 'why', validators: [{ type: 'numeric', minValue: 1 }] },
      ],
    },
  ],
};
const text = JSON.stringify(definition, null, 2);

function state(doc: string): EditorState {
  return EditorState.create({ doc, extensions: [json()] });
}

/** The 1-based line of a position, and the text there. */
function lineOf(s: EditorState, pos: number): { number: number; text: string } {
  const line = s.doc.lineAt(pos);
  return { number: line.number, text: line.text.trim() };
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineContaining(doc: string, needle: string, after = 0): number {
  const lines = doc.split('\n');
  const index = lines.findIndex((l, i) => i >= after && l.includes(needle));
  if (index < 0) throw new Error(`no line with ${needle}`);
  return index + 1;
}

describe('JSON Pointers in the editor', () => {
  const s = state(text);

  it('takes the request body prefix off definition paths and leaves other paths out', () => {
    expect(definitionPointer('/definition/pages/0/elements/1/type')).toBe('/pages/0/elements/1/type');
    expect(definitionPointer('/definition')).toBe('');
    expect(definitionPointer('/indicatorMapping/0/question')).toBeNull();
    expect(definitionPointer('/languages')).toBeNull();
    expect(pointerSegments('/pages/0/a~1b/c~0d')).toEqual(['pages', '0', 'a/b', 'c~d']);
    expect(pointerSegments('/')).toEqual([]);
  });

  it('marks the member a pointer names: its name and value, on the member’s line', () => {
    const r = pointerRange(s, '/pages/0/elements/1/type');
    expect(r.exact).toBe(true);
    const second = lineContaining(text, '"name": "why"') - 1;
    expect(lineOf(s, r.from)).toEqual({ number: second, text: '"type": "text",' });
    expect(s.doc.sliceString(r.from, r.to)).toBe('"type": "text"');
  });

  it('marks array items, escaped names and the root', () => {
    const item = pointerRange(s, '/pages/0/elements/0/choices/1');
    expect(s.doc.sliceString(item.from, item.to)).toBe('"b"');
    const escaped = pointerRange(s, '/pages/0/elements/0/a~1b');
    expect(s.doc.sliceString(escaped.from, escaped.to)).toBe('"a/b": 1');
    expect(pointerRange(s, '')).toMatchObject({ from: 0, exact: true });
  });

  it('falls back to the nearest ancestor that exists, kept to its first line', () => {
    const r = pointerRange(s, '/pages/0/elements/1/validators/0/maxValue');
    expect(r.exact).toBe(false);
    const validator = lineContaining(text, '"type": "numeric"') - 1;
    expect(lineOf(s, r.from).number).toBe(validator);
    expect(lineOf(s, r.to).number).toBe(validator);
    expect(pointerRange(s, '/pages/7/name')).toMatchObject({ exact: false });
    expect(lineOf(s, pointerRange(s, '/pages/7/name').from).text).toBe('"pages": [');
  });

  it('places a JSON syntax error on the line where the text was broken', () => {
    const broken = text.replace('"name": "why",', '"name": "why,');
    const b = state(broken);
    let error: unknown;
    try {
      JSON.parse(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyntaxError);
    expect(lineOf(b, syntaxErrorPosition(b, error)).number).toBe(lineContaining(broken, '"name": "why,'));
    // A message without a position (another engine's wording): the parser's first error.
    const quoteless = text.replace('"type": "text"', '"type": text"');
    const q = state(quoteless);
    expect(lineOf(q, syntaxErrorPosition(q, new SyntaxError('Unexpected token'))).number).toBe(
      lineContaining(quoteless, '"type": text"'),
    );
  });
});

describe('completion of SurveyJS JSON', () => {
  it('knows which object and member the cursor is in, with the object’s type read after it', () => {
    const doc = '{"pages": [{"elements": [{"name": "q", "inp": 1, "type": "text"}]}]}';
    const here = cursorContext(doc, doc.indexOf('inp') + 2);
    expect(here.at).toBe('key');
    expect(here.frames.map((f) => f.kind)).toEqual(['object', 'array', 'object', 'array', 'object']);
    expect(here.frames[4]!.type).toBe('text');
    expect(classesOf(core, here.frames).map((c) => c.className)).toEqual([
      'survey',
      null,
      'page',
      null,
      'text',
    ]);
  });

  it('names validators and triggers by their short type', () => {
    expect(typeValues(core, 'surveyvalidator')).toContain('numeric');
    expect(typeValues(core, 'question')).toEqual(expect.arrayContaining(['radiogroup', 'panel', 'matrix']));
    const doc = '{"pages": [{"elements": [{"type": "text", "validators": [{"type": "numeric", "x": 1}]}]}]}';
    const here = cursorContext(doc, doc.indexOf('"x"') + 1);
    expect(classesOf(core, here.frames).at(-1)!.className).toBe('numericvalidator');
  });

  function complete(doc: string, pos: number): CompletionResult | null {
    const s = state(doc);
    const source = surveyCompletion(() => core);
    return source(new CompletionContext(s, pos, true)) as CompletionResult | null;
  }

  it('offers the properties of the element’s class that it does not have yet', () => {
    const doc = '{"pages": [{"elements": [{"type": "text", "name": "q", "inp"}]}]}';
    const result = complete(doc, doc.indexOf('inp') + 3)!;
    const labels = result.options.map((o) => o.label);
    expect(labels).toContain('inputType');
    expect(labels).toContain('isRequired');
    expect(labels).not.toContain('name');
    expect(labels).not.toContain('choices');
    expect(result.from).toBe(doc.indexOf('inp'));
  });

  it('offers the question types for "type" and a property’s fixed choices', () => {
    const doc = '{"pages": [{"elements": [{"type": "ra", "name": "q"}]}]}';
    const types = complete(doc, doc.indexOf('"ra"') + 3)!;
    expect(types.options.map((o) => o.label)).toEqual(
      expect.arrayContaining(['radiogroup', 'rating', 'text']),
    );
    const input = '{"elements": [{"type": "text", "name": "q", "inputType": "da"}]}';
    const choices = complete(input, input.indexOf('"da"') + 3)!;
    expect(choices.options.map((o) => o.label)).toEqual(expect.arrayContaining(['date', 'email', 'number']));
  });

  it('offers nothing until survey-core is at hand', () => {
    const s = state('{"ti"}');
    const source = surveyCompletion(() => null);
    expect(source(new CompletionContext(s, 4, true))).toBeNull();
    expect(complete('{"ti"}', 4)!.options.map((o) => o.label)).toContain('title');
  });
});
