import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';

/** What completion reads of one survey-core property (a `JsonObjectProperty`). */
export interface PropertyInfo {
  name: string;
  type?: string;
  className?: string;
  baseClassName?: string;
  isSerializable?: boolean;
  visible?: boolean;
  choices?: unknown;
}

/** The parts of survey-core that completion asks: its serializer and its question types. */
export interface SurveyCoreLike {
  Serializer: {
    getProperties(className: string): PropertyInfo[];
    findProperty(className: string, name: string): PropertyInfo | null | undefined;
    findClass(name: string): unknown;
    getChildrenClasses(baseClassName: string, canBeCreated?: boolean): Array<{ name: string }>;
  };
  ElementFactory: { Instance: { getAllTypes(): string[] } };
}

/** An object or array that encloses the cursor, as far as the text before it tells. */
interface Frame {
  kind: 'object' | 'array';
  /** Object: the member whose name or value is being read. */
  key: string | null;
  /** Object: a name is expected next (after `{` or `,`). */
  expectKey: boolean;
  /** Object: its `"type"` value, read anywhere in the object (also after the cursor). */
  type?: string;
  /** Object: the member names it has. */
  keys: Set<string>;
}

/** Where the cursor is in the JSON text. */
export interface CursorContext {
  /** Enclosing containers, outermost first. */
  frames: Frame[];
  /** Inside a member name, a member value, or neither (between tokens). */
  at: 'key' | 'value' | 'other';
  /** Inside a string: where its text starts (after the opening quote); else null. */
  stringStart: number | null;
}

/**
 * Reads JSON text as far as it goes (it may be half typed) and says where `pos` is: inside which
 * objects and arrays, under which member, in a name or a value. The containers around the cursor
 * are followed to their end so that a `"type"` written after the cursor still counts.
 */
export function cursorContext(text: string, pos: number): CursorContext {
  const stack: Frame[] = [];
  // At the cursor: each enclosing frame with the member it was in then (reading goes on after).
  let saved: Array<{ frame: Frame; key: string | null; expectKey: boolean }> | null = null;
  let at: CursorContext['at'] = 'other';
  let stringStart: number | null = null;
  let stringFrom = -1;
  const top = () => stack[stack.length - 1];
  const take = (inString: boolean) => {
    const frame = top();
    at =
      frame?.kind === 'object'
        ? frame.expectKey
          ? 'key'
          : inString || frame.key
            ? 'value'
            : 'other'
        : 'other';
    stringStart = inString ? stringFrom + 1 : null;
    saved = stack.map((f) => ({ frame: f, key: f.key, expectKey: f.expectKey }));
  };
  const result = (): CursorContext => ({
    frames: saved!.map((s) => ({ ...s.frame, key: s.key, expectKey: s.expectKey })),
    at,
    stringStart,
  });
  for (let i = 0; i < text.length; i++) {
    if (i === pos && !saved) take(stringFrom >= 0);
    const c = text[i];
    if (stringFrom >= 0) {
      if (c === '\\') {
        i++;
        if (i === pos && !saved) take(true);
        continue;
      }
      if (c === '\n' && saved && i >= pos) {
        // An unclosed string at the cursor: the rest of the line was not meant to be in it.
        stringFrom = -1;
        continue;
      }
      if (c !== '"') continue;
      let value: string;
      try {
        value = JSON.parse(text.slice(stringFrom, i + 1)) as string;
      } catch {
        value = text.slice(stringFrom + 1, i);
      }
      // The name being typed at the cursor is not one the object already has.
      const typing = stringStart !== null && stringFrom + 1 === stringStart;
      stringFrom = -1;
      const frame = top();
      if (frame?.kind === 'object') {
        if (frame.expectKey) {
          frame.key = value;
          if (!typing) frame.keys.add(value);
          frame.expectKey = false;
        } else if (frame.key === 'type') frame.type = value;
      }
      continue;
    }
    switch (c) {
      case '"':
        stringFrom = i;
        break;
      case '{':
        stack.push({ kind: 'object', key: null, expectKey: true, keys: new Set() });
        break;
      case '[':
        stack.push({ kind: 'array', key: null, expectKey: false, keys: new Set() });
        break;
      case '}':
      case ']':
        stack.pop();
        if (saved && stack.length < (saved as unknown[]).length) return result();
        break;
      case ',': {
        const frame = top();
        if (frame?.kind === 'object') {
          frame.expectKey = true;
          frame.key = null;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!saved) take(stringFrom >= 0);
  return result();
}

function findClass(core: SurveyCoreLike, name: string | undefined): string | null {
  return name && core.Serializer.findClass(name) ? name : null;
}

/** An object's class from the class its holder's property names, made precise by its `"type"`. */
function refine(core: SurveyCoreLike, base: string | null, type: string | undefined): string | null {
  if (!type || !base) return base;
  const suffix = base.replace(/^survey/, '');
  return findClass(core, type) ?? findClass(core, `${type}${suffix}`) ?? (base === 'question' ? null : base);
}

/**
 * The survey-core class of each enclosing object: the survey at the root; below, what the
 * holding member's property says (`pages` hold pages, `choices` items, `elements` questions),
 * made precise by the object's `"type"` (`numeric` under validators is `numericvalidator`).
 * Arrays have no class of their own; they pass their holder through.
 */
export function classesOf(
  core: SurveyCoreLike,
  frames: Frame[],
): Array<{ className: string | null; base: string | null }> {
  const out: Array<{ className: string | null; base: string | null }> = [];
  let holderClass: string | null = null;
  let holderMember: string | null = null;
  frames.forEach((frame, depth) => {
    if (frame.kind === 'array') {
      out.push({ className: null, base: null });
      return;
    }
    let base: string | null = null;
    if (depth === 0) base = 'survey';
    else if (holderClass && holderMember) {
      const prop = core.Serializer.findProperty(holderClass, holderMember);
      base = findClass(core, prop?.className) ?? findClass(core, prop?.baseClassName);
    }
    const className = refine(core, base, frame.type);
    out.push({ className, base });
    holderClass = className;
    holderMember = frame.key;
  });
  return out;
}

/** The `"type"` values an object may take, given what holds it (elements, validators, triggers). */
export function typeValues(core: SurveyCoreLike, base: string): string[] {
  if (base === 'question' || base === 'panelbase')
    return core.ElementFactory.Instance.getAllTypes().slice().sort();
  const suffix = base.replace(/^survey/, '');
  return core.Serializer.getChildrenClasses(base, true)
    .map((c) => (suffix && c.name.endsWith(suffix) ? c.name.slice(0, -suffix.length) : c.name))
    .sort();
}

function choiceValues(prop: PropertyInfo | null | undefined): string[] {
  const choices = prop?.choices;
  if (!Array.isArray(choices)) return [];
  return choices
    .map((c: unknown) =>
      typeof c === 'object' && c !== null && 'value' in c ? (c as { value: unknown }).value : c,
    )
    .filter((v): v is string => typeof v === 'string');
}

/**
 * Completion of SurveyJS JSON: member names of the object at the cursor (the properties of its
 * survey-core class that are not there yet), the question types for `"type"`, and the fixed
 * choices of a property (`inputType`, `showQuestionNumbers`, …). survey-core comes from `core()`,
 * which may not be loaded yet: then nothing is offered.
 */
export function surveyCompletion(core: () => SurveyCoreLike | null) {
  return (context: CompletionContext): CompletionResult | null => {
    const survey = core();
    if (!survey) return null;
    const text = context.state.doc.toString();
    const here = cursorContext(text, context.pos);
    const frames = here.frames;
    const innermost = frames[frames.length - 1];
    if (!innermost || innermost.kind !== 'object') return null;
    const classes = classesOf(survey, frames);
    const own = classes[classes.length - 1]!;
    const word = context.matchBefore(/[\w$-]*/);
    const from = word ? word.from : context.pos;
    if (here.at === 'key') {
      const className = own.className ?? own.base;
      if (!className) return null;
      const typed = here.stringStart !== null;
      if (!typed && !context.explicit && word?.from === word?.to) return null;
      const options: Completion[] = survey.Serializer.getProperties(className)
        .filter((p) => p.isSerializable !== false && p.visible !== false)
        .filter((p) => !innermost.keys.has(p.name) || p.name === innermost.key)
        .map((p) => ({
          label: p.name,
          type: 'property',
          detail: p.type,
          apply: typed ? p.name : `"${p.name}": `,
          boost: p.name === 'type' || p.name === 'name' ? 2 : 0,
        }));
      return { from, options, validFor: /^[\w$-]*$/ };
    }
    if (here.at === 'value' && here.stringStart !== null && innermost.key) {
      let values: string[] = [];
      if (innermost.key === 'type' && own.base) values = typeValues(survey, own.base);
      else if (own.className)
        values = choiceValues(survey.Serializer.findProperty(own.className, innermost.key));
      if (!values.length) return null;
      return {
        from,
        options: values.map((v) => ({ label: v, type: innermost.key === 'type' ? 'type' : 'enum' })),
        validFor: /^[\w$-]*$/,
      };
    }
    return null;
  };
}
