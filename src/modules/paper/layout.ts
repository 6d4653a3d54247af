import {
  ConditionRunner,
  ConditionsParser,
  surveyLocalization,
  type BinaryOperand,
  type Const,
  type IElement,
  type ItemValue,
  type Operand,
  type PanelModel,
  type Question,
  type QuestionBooleanModel,
  type QuestionCommentModel,
  type QuestionHtmlModel,
  type QuestionMatrixDropdownModel,
  type QuestionMatrixDynamicModel,
  type QuestionMatrixModel,
  type QuestionMultipleTextModel,
  type QuestionPanelDynamicModel,
  type QuestionRatingModel,
  type QuestionSelectBase,
  type QuestionTextModel,
  type SurveyModel,
  type UnaryOperand,
} from 'survey-core';
import { ServerSurvey } from '../surveys/survey-engine';

/** A fixed phrase of the paper form. */
export type PaperPhrase =
  | 'tickOne'
  | 'tickAll'
  | 'tickEachRow'
  | 'writeInTable'
  | 'write'
  | 'writeNumber'
  | 'rank'
  | 'goTo'
  | 'goToEnd'
  | 'onlyIf'
  | 'onlyIfAnswered'
  | 'onlyIfNumber'
  | 'onlyIfApplies'
  | 'lessThan'
  | 'atMost'
  | 'moreThan'
  | 'atLeast'
  | 'or'
  | 'quote'
  | 'serial'
  | 'yourCode'
  | 'scan'
  | 'thankYou'
  | 'page'
  | 'continued';

/** Languages the fixed phrases are written in; any other language gets English ones. */
export const PAPER_LANGUAGES = ['en', 'pl', 'uk', 'ru', 'ka'] as const;

/**
 * Every fixed phrase a paper form prints, per language. `{answer}` is a list of quoted answers,
 * `{n}` the question to go to, `{m}` the question a condition depends on, `{range}` one of the
 * comparison phrases, `{v}` a number.
 */
const PHRASES: Record<(typeof PAPER_LANGUAGES)[number], Record<PaperPhrase, string>> = {
  en: {
    tickOne: 'Tick one box',
    tickAll: 'Tick all that apply',
    tickEachRow: 'Tick one box in each row',
    writeInTable: 'Write your answers in the table',
    write: 'Write your answer',
    writeNumber: 'Write a number',
    rank: 'Number the boxes in order: 1 for the first',
    goTo: 'If {answer}, go to question {n}',
    goToEnd: 'If {answer}, go to the end of the questionnaire',
    onlyIf: 'Answer only if you answered {answer} to question {m}',
    onlyIfAnswered: 'Answer only if you answered question {m}',
    onlyIfNumber: 'Answer only if your answer to question {m} was {range}',
    onlyIfApplies: 'Answer only if it applies to you',
    lessThan: 'less than {v}',
    atMost: '{v} or less',
    moreThan: 'more than {v}',
    atLeast: '{v} or more',
    or: ' or ',
    quote: '“{text}”',
    serial: 'Serial no.',
    yourCode: 'Your code',
    scan: 'Scan to answer online',
    thankYou: 'Thank you',
    page: 'Page {x} of {y}',
    continued: 'Question {n}, continued',
  },
  pl: {
    tickOne: 'Zaznacz jedną kratkę',
    tickAll: 'Zaznacz wszystkie pasujące odpowiedzi',
    tickEachRow: 'Zaznacz jedną kratkę w każdym wierszu',
    writeInTable: 'Wpisz odpowiedzi w tabeli',
    write: 'Wpisz odpowiedź',
    writeNumber: 'Wpisz liczbę',
    rank: 'Ponumeruj kratki według kolejności: 1 oznacza pierwsze miejsce',
    goTo: 'Jeśli {answer}, przejdź do pytania {n}',
    goToEnd: 'Jeśli {answer}, przejdź na koniec ankiety',
    onlyIf: 'Odpowiedz tylko, jeśli w pytaniu {m} zaznaczono {answer}',
    onlyIfAnswered: 'Odpowiedz tylko, jeśli udzielono odpowiedzi na pytanie {m}',
    onlyIfNumber: 'Odpowiedz tylko, jeśli w pytaniu {m} wpisano {range}',
    onlyIfApplies: 'Proszę odpowiedzieć tylko, jeśli to Pana/Pani dotyczy',
    lessThan: 'mniej niż {v}',
    atMost: '{v} lub mniej',
    moreThan: 'więcej niż {v}',
    atLeast: '{v} lub więcej',
    or: ' lub ',
    quote: '„{text}”',
    serial: 'Nr formularza',
    yourCode: 'Kod osobisty',
    scan: 'Zeskanuj, aby odpowiedzieć przez internet',
    thankYou: 'Dziękujemy',
    page: 'Strona {x} z {y}',
    continued: 'Pytanie {n} – ciąg dalszy',
  },
  uk: {
    tickOne: 'Позначте одну клітинку',
    tickAll: 'Позначте всі відповідні варіанти',
    tickEachRow: 'Позначте одну клітинку в кожному рядку',
    writeInTable: 'Впишіть відповіді в таблицю',
    write: 'Напишіть вашу відповідь',
    writeNumber: 'Впишіть число',
    rank: 'Пронумеруйте клітинки за порядком: 1 — перше місце',
    goTo: 'Якщо {answer}, перейдіть до запитання {n}',
    goToEnd: 'Якщо {answer}, перейдіть до кінця анкети',
    onlyIf: 'Відповідайте, лише якщо в запитанні {m} ви позначили {answer}',
    onlyIfAnswered: 'Відповідайте, лише якщо ви відповіли на запитання {m}',
    onlyIfNumber: 'Відповідайте, лише якщо в запитанні {m} ви вказали {range}',
    onlyIfApplies: 'Відповідайте, лише якщо це вас стосується',
    lessThan: 'менше ніж {v}',
    atMost: '{v} або менше',
    moreThan: 'більше ніж {v}',
    atLeast: '{v} або більше',
    or: ' або ',
    quote: '«{text}»',
    serial: '№ анкети',
    yourCode: 'Ваш код',
    scan: 'Відскануйте, щоб відповісти онлайн',
    thankYou: 'Дякуємо',
    page: 'Сторінка {x} з {y}',
    continued: 'Запитання {n}, продовження',
  },
  ru: {
    tickOne: 'Отметьте одну клетку',
    tickAll: 'Отметьте все подходящие варианты',
    tickEachRow: 'Отметьте одну клетку в каждой строке',
    writeInTable: 'Впишите ответы в таблицу',
    write: 'Напишите ваш ответ',
    writeNumber: 'Впишите число',
    rank: 'Пронумеруйте клетки по порядку: 1 — первое место',
    goTo: 'Если {answer}, перейдите к вопросу {n}',
    goToEnd: 'Если {answer}, перейдите к концу анкеты',
    onlyIf: 'Отвечайте, только если в вопросе {m} вы отметили {answer}',
    onlyIfAnswered: 'Отвечайте, только если вы ответили на вопрос {m}',
    onlyIfNumber: 'Отвечайте, только если в вопросе {m} вы указали {range}',
    onlyIfApplies: 'Отвечайте, только если это вас касается',
    lessThan: 'меньше {v}',
    atMost: '{v} или меньше',
    moreThan: 'больше {v}',
    atLeast: '{v} или больше',
    or: ' или ',
    quote: '«{text}»',
    serial: '№ анкеты',
    yourCode: 'Ваш код',
    scan: 'Отсканируйте, чтобы ответить онлайн',
    thankYou: 'Спасибо',
    page: 'Страница {x} из {y}',
    continued: 'Вопрос {n}, продолжение',
  },
  ka: {
    tickOne: 'მონიშნეთ ერთი უჯრა',
    tickAll: 'მონიშნეთ ყველა შესაბამისი პასუხი',
    tickEachRow: 'მონიშნეთ თითო უჯრა ყოველ სტრიქონში',
    writeInTable: 'ჩაწერეთ პასუხები ცხრილში',
    write: 'ჩაწერეთ თქვენი პასუხი',
    writeNumber: 'ჩაწერეთ რიცხვი',
    rank: 'დანომრეთ უჯრები რიგის მიხედვით: 1 — პირველი ადგილი',
    goTo: 'თუ უპასუხეთ {answer}, გადადით კითხვაზე {n}',
    goToEnd: 'თუ უპასუხეთ {answer}, გადადით კითხვარის ბოლოს',
    onlyIf: 'უპასუხეთ მხოლოდ იმ შემთხვევაში, თუ კითხვაზე {m} მონიშნეთ {answer}',
    onlyIfAnswered: 'უპასუხეთ მხოლოდ იმ შემთხვევაში, თუ კითხვას {m} უპასუხეთ',
    onlyIfNumber: 'უპასუხეთ მხოლოდ იმ შემთხვევაში, თუ კითხვაზე {m} მიუთითეთ {range}',
    onlyIfApplies: 'უპასუხეთ მხოლოდ იმ შემთხვევაში, თუ ეს თქვენ გეხებათ',
    lessThan: '{v}-ზე ნაკლები',
    atMost: '{v} ან ნაკლები',
    moreThan: '{v}-ზე მეტი',
    atLeast: '{v} ან მეტი',
    or: ' ან ',
    quote: '„{text}“',
    serial: 'კითხვარის №',
    yourCode: 'თქვენი კოდი',
    scan: 'დაასკანერეთ, რომ უპასუხოთ ონლაინ',
    thankYou: 'გმადლობთ',
    page: 'გვერდი {x} / {y}',
    continued: 'კითხვა {n}, გაგრძელება',
  },
};

/** A fixed phrase in `lang` (English when the language has none), placeholders filled in. */
export function paperPhrase(
  lang: string,
  key: PaperPhrase,
  vars: Record<string, string | number> = {},
): string {
  const base = lang.split('-')[0]!.toLowerCase();
  const table = (PHRASES as Record<string, Record<PaperPhrase, string> | undefined>)[base] ?? PHRASES.en;
  return table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  );
}

/** Answers as a condition prints them: each quoted, the last joined with "or" (“A”, “B” or “C”). */
export function paperAnswerList(lang: string, texts: string[]): string {
  const quoted = texts.map((text) => paperPhrase(lang, 'quote', { text }));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')}${paperPhrase(lang, 'or')}${quoted.at(-1)}`;
}

/** How a question is answered on paper. */
export type PaperAnswer = 'tick-one' | 'tick-all' | 'rank' | 'write' | 'number' | 'grid';

/** One printed answer option. */
export interface PaperChoice {
  /** The value survey-core stores for this answer. */
  value: unknown;
  text: string;
  /** A line to write on follows the box ("Other, please describe"). */
  writeIn: boolean;
}

/** A table of rows by columns with a box or a space to write in each cell. */
export interface PaperGrid {
  rows: string[];
  columns: string[];
  /** Per column: a box to tick, or a space to write in. */
  cells: Array<'box' | 'write'>;
  /** One tick in each row (a Likert matrix) rather than any number. */
  onePerRow: boolean;
}

/** The question a condition depends on and the sentence printed at the conditional question. */
export interface PaperCondition {
  /** Number of the question it depends on; null when the condition cannot be put in words. */
  on: number | null;
  text: string;
}

/** A skip instruction printed at the question it starts from. */
export interface PaperSkip {
  /** The answers that lead there, as printed. */
  answers: string[];
  /** Number of the question to go to; null for the end of the questionnaire. */
  to: number | null;
  text: string;
}

/** A numbered question as printed. */
export interface PaperQuestion {
  kind: 'question';
  /** The question's name in the definition. */
  name: string;
  /** survey-core's type name (`radiogroup`, `matrix`…). */
  type: string;
  /** Printed number: 1, 2, 3… over the questions a tenant answers. */
  number: number;
  title: string;
  description: string;
  answer: PaperAnswer;
  /** "Tick one box", "Write your answer"…, in the form's language. */
  instruction: string;
  /** Options for `tick-one`, `tick-all` and `rank`. */
  choices: PaperChoice[];
  /** Texts at the two ends of a rating scale, when the survey gives them. */
  scale: { min: string; max: string } | null;
  /** The table for `grid`. */
  grid: PaperGrid | null;
  /** Labelled lines to write on (a multiple-text question). */
  fields: string[];
  /** Ruled lines for a written answer; 0 when there are none. */
  lines: number;
  /** Label of a comment area under the answers, when the question asks for one. */
  comment: string | null;
  /** When the question is asked only for some answers to an earlier one. */
  condition: PaperCondition | null;
  /** Where to go next for answers that make the following questions irrelevant. */
  skips: PaperSkip[];
}

/** A page or panel title. */
export interface PaperHeading {
  kind: 'heading';
  title: string;
  description: string;
}

/** Explanatory text of the survey (an html element), tags stripped. */
export interface PaperText {
  kind: 'text';
  text: string;
}

/** One element of the printed questionnaire, in order. */
export type PaperItem = PaperQuestion | PaperHeading | PaperText;

/** The printed questionnaire: the survey's own description and its items. */
export interface PaperContent {
  description: string;
  items: PaperItem[];
}

/**
 * The questionnaire as it is printed in `lang`: pages and panels flattened into headings,
 * questions numbered 1, 2, 3… (html text printed unnumbered, expressions and images left out),
 * each with its texts, its answer area and the routing written out from its skip logic.
 *
 * Texts come from survey-core in `lang`, falling back to the survey's default texts.
 * A `visibleIf` on one earlier question (`=`, `!=`, `anyof`, `noneof`, `contains`, `notempty`,
 * `<`, `>=`… on a choice, rating, boolean or number question; on the question, its panel or
 * its page) becomes "Answer only if you answered “…” to question M" at the conditional question
 * and "If “…”, go to question N" at the question it depends on. Anything else (several
 * questions, functions, calculated values) prints "Answer only if it applies to you".
 */
export function paperLayout(definition: Record<string, unknown>, lang: string): PaperItem[] {
  return paperContent(definition, lang).items;
}

/** {@link paperLayout} with the survey's description. */
export function paperContent(definition: Record<string, unknown>, lang: string): PaperContent {
  const model = paperModel(definition, lang);
  const walker = new Walker(model, lang);
  for (const page of model.pages) {
    if (neverShown(page)) continue;
    walker.heading(page.title, page.description);
    walker.elements(page.elements, page.visibleIf ? [page.visibleIf] : []);
  }
  walker.route();
  return { description: plainText(model.description ?? ''), items: walker.items };
}

/**
 * The survey model in `lang`. survey-core treats English as its default language and reads the
 * unnamed ("default") texts for it, so a survey written in another language with English
 * translations would print in its own language; for English those translations become the
 * default texts first.
 */
function paperModel(definition: Record<string, unknown>, lang: string): SurveyModel {
  const source = lang === surveyLocalization.defaultLocale ? withDefaultTexts(definition, lang) : definition;
  const model = new ServerSurvey(source);
  model.locale = lang;
  return model;
}

function withDefaultTexts<T>(value: T, lang: string, depth = 0): T {
  if (depth > 60 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => withDefaultTexts(v, lang, depth + 1)) as T;
  const record = value as Record<string, unknown>;
  if (typeof record[lang] === 'string' && 'default' in record)
    return { ...record, default: record[lang] } as T;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) copy[key] = withDefaultTexts(v, lang, depth + 1);
  return copy as T;
}

/**
 * Text from survey HTML: tags dropped, block ends made line breaks, common entities decoded.
 * Piped answers (`{name}`) that are still unknown when the form is printed become "…".
 */
export function plainText(html: string): string {
  return html
    .replace(/\{[^{}\n]*\}/g, '…')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Hidden for good: `visible: false` with no condition that could show it. */
function neverShown(element: { visible: boolean; visibleIf: string }): boolean {
  return !element.visibleIf && element.visible === false;
}

type Comparison = 'less' | 'lessorequal' | 'greater' | 'greaterorequal';

/** One part of a question's visibility, all parts of which must hold (page, panel, question). */
type Conjunct = Simple | { kind: 'complex' };

/**
 * A condition on one earlier question: shown for some answers of a single-answer question
 * (`options`), when any of some options of a multiple-answer question is ticked (`ticked`),
 * when it is answered at all, or for a number in a range. `whenEmpty` tells whether it holds
 * while that question is unanswered.
 */
type Simple = { source: Entry; whenEmpty: boolean } & (
  | { kind: 'options' | 'ticked'; shown: Set<number> }
  | { kind: 'answered' }
  | { kind: 'number'; op: Comparison; value: number }
);

/** A numbered question while the routing is worked out. */
interface Entry {
  question: Question;
  item: PaperQuestion;
  /** Answer values of a question with a fixed set of answers, else null. */
  values: unknown[] | null;
  multiple: boolean;
  numeric: boolean;
  conjuncts: Conjunct[];
}

const SINGLE_CHOICE = new Set(['radiogroup', 'dropdown', 'buttongroup']);
const MULTIPLE_CHOICE = new Set(['checkbox', 'tagbox']);
const NOT_PRINTED = new Set(['expression', 'image', 'empty']);
/** Longer dropdowns (years, countries) are written in rather than printed as boxes. */
const MAX_PRINTED_CHOICES = 40;
/** Rows or panels printed for a dynamic matrix or panel when the survey starts with fewer. */
const MIN_PRINTED_ENTRIES = 3;
/** Combinations of ticks tried when reading a condition on a multiple-answer question. */
const MAX_TICKED_OPTIONS = 10;

const COMPARISONS = new Set<string>(['less', 'lessorequal', 'greater', 'greaterorequal']);
const MIRRORED: Record<Comparison, Comparison> = {
  less: 'greater',
  lessorequal: 'greaterorequal',
  greater: 'less',
  greaterorequal: 'lessorequal',
};
const NEGATED: Record<Comparison, Comparison> = {
  less: 'greaterorequal',
  lessorequal: 'greater',
  greater: 'lessorequal',
  greaterorequal: 'less',
};
const RANGE_PHRASE: Record<Comparison, PaperPhrase> = {
  less: 'lessThan',
  lessorequal: 'atMost',
  greater: 'moreThan',
  greaterorequal: 'atLeast',
};

/**
 * Texts are read unprocessed: on paper there are no answers yet to pipe into them, and
 * {@link plainText} shows each placeholder as "…" rather than as nothing.
 */
class Walker {
  readonly items: PaperItem[] = [];
  private readonly entries: Entry[] = [];

  constructor(
    private readonly model: SurveyModel,
    private readonly lang: string,
  ) {}

  heading(title: string, description: string): void {
    const text = plainText(title ?? '');
    const about = plainText(description ?? '');
    if (text || about) this.items.push({ kind: 'heading', title: text, description: about });
  }

  elements(elements: IElement[], conditions: string[]): void {
    for (const element of elements) {
      const el = element as unknown as Question | PanelModel;
      if (neverShown(el)) continue;
      const own = el.visibleIf ? [...conditions, el.visibleIf] : conditions;
      const type = el.getType();
      if (el.isPanel) {
        const panel = el as PanelModel;
        this.heading(panel.title, panel.description);
        this.elements(panel.elements, own);
      } else if (type === 'html') {
        const text = plainText((el as unknown as QuestionHtmlModel).html ?? '');
        if (text) this.items.push({ kind: 'text', text });
      } else if (!NOT_PRINTED.has(type)) {
        this.question(el as Question, own);
      }
    }
  }

  private question(question: Question, conditions: string[]): void {
    const item: PaperQuestion = {
      kind: 'question',
      name: question.name,
      type: question.getType(),
      number: this.entries.length + 1,
      title: plainText(question.title),
      description: plainText(question.description ?? ''),
      answer: 'write',
      instruction: '',
      choices: [],
      scale: null,
      grid: null,
      fields: [],
      lines: 0,
      comment: null,
      condition: null,
      skips: [],
    };
    const entry: Entry = { question, item, values: null, multiple: false, numeric: false, conjuncts: [] };
    this.describe(entry);
    if (question.showCommentArea && item.answer !== 'write') {
      item.comment = plainText((question as unknown as { commentText?: string }).commentText ?? '');
    }
    entry.conjuncts = conditions.flatMap((text) => this.conjuncts(text));
    item.condition = this.conditionLine(entry.conjuncts);
    this.entries.push(entry);
    this.items.push(item);
  }

  /** Fills in the answer area of a question from its type. */
  private describe(entry: Entry): void {
    const { question: q, item } = entry;
    const type = item.type;
    const phrase = (key: PaperPhrase) => paperPhrase(this.lang, key);
    const tick = (choices: PaperChoice[], multiple: boolean) => {
      item.answer = multiple ? 'tick-all' : 'tick-one';
      item.instruction = phrase(multiple ? 'tickAll' : 'tickOne');
      item.choices = choices;
      entry.values = choices.map((c) => c.value);
      entry.multiple = multiple;
    };
    const write = (lines: number) => {
      item.answer = 'write';
      item.instruction = phrase('write');
      item.lines = lines;
    };

    if (SINGLE_CHOICE.has(type) || MULTIPLE_CHOICE.has(type) || type === 'imagepicker') {
      const choices = choiceItems(q as QuestionSelectBase);
      const multiple =
        MULTIPLE_CHOICE.has(type) ||
        (type === 'imagepicker' && Boolean((q as { multiSelect?: boolean }).multiSelect));
      if (choices.length === 0 || (type === 'dropdown' && choices.length > MAX_PRINTED_CHOICES)) write(1);
      else tick(choices, multiple);
    } else if (type === 'boolean') {
      const b = q as QuestionBooleanModel;
      const choices = [
        { value: b.getValueTrue(), text: plainText(b.labelTrue), writeIn: false },
        { value: b.getValueFalse(), text: plainText(b.labelFalse), writeIn: false },
      ];
      tick(b.swapOrder ? choices.reverse() : choices, false);
    } else if (type === 'rating') {
      const r = q as QuestionRatingModel;
      tick(
        r.visibleRateValues.map((v) => ({ value: v.value, text: plainText(v.text), writeIn: false })),
        false,
      );
      const min = plainText(r.minRateDescription ?? '');
      const max = plainText(r.maxRateDescription ?? '');
      item.scale = min || max ? { min, max } : null;
    } else if (type === 'ranking') {
      item.answer = 'rank';
      item.instruction = phrase('rank');
      item.choices = choiceItems(q as QuestionSelectBase);
      if (item.choices.length === 0) write(2);
    } else if (type === 'matrix') {
      const m = q as QuestionMatrixModel;
      const rows = m.rows.map((r: ItemValue) => plainText(r.text));
      const onePerRow = !m.isMultiSelect;
      item.answer = 'grid';
      item.instruction = phrase(onePerRow ? 'tickEachRow' : 'tickAll');
      item.grid = {
        rows: rows.length ? rows : [''],
        columns: m.columns.map((c: ItemValue) => plainText(c.text)),
        cells: m.columns.map(() => 'box'),
        onePerRow,
      };
    } else if (type === 'matrixdropdown' || type === 'matrixdynamic') {
      const m = q as QuestionMatrixDropdownModel | QuestionMatrixDynamicModel;
      const columns = m.columns.filter((c) => c.visible !== false);
      const rows =
        type === 'matrixdynamic'
          ? entryNumbers(q as QuestionMatrixDynamicModel)
          : (m as QuestionMatrixDropdownModel).rows.map((r: ItemValue) => plainText(r.text));
      item.answer = 'grid';
      item.instruction = phrase('writeInTable');
      item.grid = {
        rows,
        columns: columns.map((c) => plainText(c.title)),
        cells: columns.map((c) => (c.cellType === 'boolean' ? 'box' : 'write')),
        onePerRow: false,
      };
    } else if (type === 'paneldynamic') {
      const p = q as QuestionPanelDynamicModel;
      const fields = p.template.questions
        .filter((t) => !NOT_PRINTED.has(t.getType()) && t.getType() !== 'html')
        .map((t) => plainText(t.title));
      const entries = entryNumbers(p);
      // Few fields make columns; many make rows, with one column per entry.
      const wide = fields.length > 4;
      const columns = wide ? entries : fields;
      item.answer = 'grid';
      item.instruction = phrase('writeInTable');
      item.grid = {
        rows: wide ? fields : entries,
        columns,
        cells: columns.map(() => 'write'),
        onePerRow: false,
      };
    } else if (type === 'multipletext') {
      write(0);
      item.fields = (q as QuestionMultipleTextModel).items.map((i) => plainText(i.fullTitle || i.title));
    } else if (type === 'comment') {
      write(Math.min(Math.max((q as QuestionCommentModel).rows || 4, 3), 8));
    } else if (type === 'slider' || (type === 'text' && isNumberInput(q as QuestionTextModel))) {
      item.answer = 'number';
      item.instruction = phrase('writeNumber');
      entry.numeric = true;
    } else if (type === 'file') {
      write(2);
    } else {
      write(1);
    }
  }

  /** The parts of one `visibleIf`, each read as a condition on one earlier question if it can be. */
  private conjuncts(text: string): Conjunct[] {
    let operand: Operand | undefined;
    try {
      operand = new ConditionsParser().parseExpression(text);
    } catch {
      operand = undefined;
    }
    if (!operand) return [{ kind: 'complex' }];
    return splitAnd(operand).map((part) => this.conjunct(part));
  }

  private conjunct(operand: Operand): Conjunct {
    const names: string[] = [];
    operand.setVariables(names);
    const unique = [...new Set(names)];
    if (unique.length !== 1 || operand.hasFunction()) return { kind: 'complex' };
    const name = unique[0]!;
    const question =
      this.model.getQuestionByValueName(name, true) ?? this.model.getQuestionByName(name, true);
    const source = question && this.entries.find((e) => e.question === question);
    if (!source) return { kind: 'complex' };

    const runner = new ConditionRunner(operand.toString());
    const holds = (value: unknown) => runner.runValues(value === undefined ? {} : { [name]: value }) === true;
    const whenEmpty = holds(undefined);
    if (source.values && !source.multiple) {
      return fromShown('options', source, whenEmpty, indices(source.values, holds));
    }
    if (source.values && source.multiple) return tickedConjunct(source, whenEmpty, holds);
    if (isNotEmpty(operand)) return { kind: 'answered', source, whenEmpty };
    const comparison = source.numeric ? numberComparison(operand) : null;
    return comparison ? { kind: 'number', source, whenEmpty, ...comparison } : { kind: 'complex' };
  }

  /** The sentence at a conditional question, or null when it is always asked. */
  private conditionLine(conjuncts: Conjunct[]): PaperCondition | null {
    if (conjuncts.length === 0) return null;
    const fallback = { on: null, text: paperPhrase(this.lang, 'onlyIfApplies') };
    const simple = conjuncts.filter((c) => c.kind !== 'complex');
    const source = simple[0]?.source;
    if (!source || simple.length !== conjuncts.length || simple.some((c) => c.source !== source)) {
      return fallback;
    }
    const m = source.item.number;
    const numbers = [
      ...new Map(
        simple.flatMap((c) => (c.kind === 'number' ? [[`${c.op}/${c.value}`, c] as const] : [])),
      ).values(),
    ];
    if (numbers.length > 0) {
      if (numbers.length > 1 || simple.some((c) => c.kind !== 'number' && c.kind !== 'answered'))
        return fallback;
      const range = rangeText(this.lang, numbers[0]!.op, numbers[0]!.value);
      return { on: m, text: paperPhrase(this.lang, 'onlyIfNumber', { m, range }) };
    }
    const sets = simple.flatMap((c) => (c.kind === 'options' || c.kind === 'ticked' ? [c.shown] : []));
    if (sets.length === 0) return { on: m, text: paperPhrase(this.lang, 'onlyIfAnswered', { m }) };
    const shown = sets.reduce((all, set) => new Set([...all].filter((i) => set.has(i))));
    if (shown.size === 0) return fallback;
    const answer = paperAnswerList(this.lang, answerTexts(source, shown));
    return { on: m, text: paperPhrase(this.lang, 'onlyIf', { m, answer }) };
  }

  /** Skip instructions at each question that later questions depend on. */
  route(): void {
    this.entries.forEach((source, s) => {
      if (source.values && !source.multiple) this.routeChoices(source, s);
      else if (source.numeric) this.routeNumber(source, s);
    });
  }

  /**
   * Index of the first question after `s` that an answer does not hide: `hides` tells which
   * conditions that answer makes false. A question that depends on a skipped one is skipped
   * too, unless its condition holds while the skipped one is unanswered.
   */
  private nextShown(s: number, hides: (c: Simple) => boolean): number {
    const skipped = new Set<Entry>();
    let i = s + 1;
    for (; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      const hidden = entry.conjuncts.some(
        (c) => c.kind !== 'complex' && (hides(c) || (skipped.has(c.source) && !c.whenEmpty)),
      );
      if (!hidden) break;
      skipped.add(entry);
    }
    return i;
  }

  private routeChoices(source: Entry, s: number): void {
    const byTarget = new Map<number, number[]>();
    source.values!.forEach((_, v) => {
      const target = this.nextShown(s, (c) => c.kind === 'options' && c.source === source && !c.shown.has(v));
      if (target > s + 1) byTarget.set(target, [...(byTarget.get(target) ?? []), v]);
    });
    for (const [target, options] of [...byTarget].sort((a, b) => a[0] - b[0])) {
      this.addSkip(source, answerTexts(source, new Set(options)), target, null);
    }
  }

  private routeNumber(source: Entry, s: number): void {
    const next = this.entries[s + 1];
    const seen = new Set<string>();
    for (const c of next?.conjuncts ?? []) {
      if (c.kind !== 'number' || c.source !== source || seen.has(`${c.op}/${c.value}`)) continue;
      seen.add(`${c.op}/${c.value}`);
      const target = this.nextShown(
        s,
        (d) => d.kind === 'number' && d.source === source && d.op === c.op && d.value === c.value,
      );
      this.addSkip(source, [], target, rangeText(this.lang, NEGATED[c.op], c.value));
    }
  }

  private addSkip(source: Entry, answers: string[], target: number, range: string | null): void {
    const answer = range ?? paperAnswerList(this.lang, answers);
    const to = target < this.entries.length ? this.entries[target]!.item.number : null;
    const text =
      to === null
        ? paperPhrase(this.lang, 'goToEnd', { answer })
        : paperPhrase(this.lang, 'goTo', { answer, n: to });
    source.item.skips.push({ answers: range ? [range] : answers, to, text });
  }
}

/** The options a select question prints: all its choices, then none / other and the like. */
function choiceItems(q: QuestionSelectBase): PaperChoice[] {
  const selectAll = (q as unknown as { selectAllItem?: ItemValue }).selectAllItem;
  const visible = q.visibleChoices.filter((item) => item !== selectAll);
  // Choices hidden by their own condition on the (empty) answers still belong on paper.
  const complete = q.choices.every((c: ItemValue) => visible.some((v) => v.value === c.value));
  const special = visible.filter((item) => !q.choices.some((c: ItemValue) => c.value === item.value));
  const items: ItemValue[] = complete ? visible : [...q.choices, ...special];
  return items.map((item) => ({
    value: item.value,
    text: plainText(item.text ?? String(item.value)),
    writeIn: q.isOtherItem(item),
  }));
}

/** "1", "2", "3"… for the entries of a dynamic matrix or panel printed on paper. */
function entryNumbers(q: QuestionMatrixDynamicModel | QuestionPanelDynamicModel): string[] {
  const [start, min, max] =
    'rowCount' in q
      ? [q.rowCount, q.minRowCount, q.maxRowCount]
      : [q.panelCount, q.minPanelCount, q.maxPanelCount];
  const count = Math.max(1, Math.min(Math.max(start, min, MIN_PRINTED_ENTRIES), max || MIN_PRINTED_ENTRIES));
  return Array.from({ length: count }, (_, i) => String(i + 1));
}

function isNumberInput(q: QuestionTextModel): boolean {
  return q.inputType === 'number' || q.inputType === 'range';
}

function splitAnd(operand: Operand): Operand[] {
  if (operand.getType() === 'binary' && (operand as BinaryOperand).operator === 'and') {
    const binary = operand as BinaryOperand;
    return [...splitAnd(binary.leftOperand as Operand), ...splitAnd(binary.rightOperand as Operand)];
  }
  return [operand];
}

function isNotEmpty(operand: Operand): boolean {
  return (
    operand.getType() === 'unary' &&
    (operand as UnaryOperand).operator === 'notempty' &&
    (operand as UnaryOperand).expression.getType() === 'variable'
  );
}

/** `{q} < 3` or `3 > {q}` as an operator and a number; null for anything else. */
function numberComparison(operand: Operand): { op: Comparison; value: number } | null {
  if (operand.getType() !== 'binary') return null;
  const binary = operand as BinaryOperand;
  if (!COMPARISONS.has(binary.operator)) return null;
  const left = binary.leftOperand as Operand;
  const right = binary.rightOperand as Operand;
  const op = binary.operator as Comparison;
  const constant = (side: Operand) => {
    const value = (side as Const).correctValue as unknown;
    return side.getType() === 'const' && typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  if (left.getType() === 'variable' && constant(right) !== null) return { op, value: constant(right)! };
  if (right.getType() === 'variable' && constant(left) !== null)
    return { op: MIRRORED[op], value: constant(left)! };
  return null;
}

function rangeText(lang: string, op: Comparison, value: number): string {
  return paperPhrase(lang, RANGE_PHRASE[op], { v: value });
}

function indices(values: unknown[], test: (value: unknown) => boolean): Set<number> {
  const out = new Set<number>();
  values.forEach((value, i) => {
    if (test(value)) out.add(i);
  });
  return out;
}

function fromShown(
  kind: 'options' | 'ticked',
  source: Entry,
  whenEmpty: boolean,
  shown: Set<number>,
): Conjunct {
  if (shown.size === 0) return { kind: 'complex' };
  if (shown.size === source.values!.length) return { kind: 'answered', source, whenEmpty };
  return { kind, source, whenEmpty, shown };
}

/**
 * A condition on a multiple-answer question can be put in words when it holds exactly when
 * some option of a set is ticked (`contains`, `anyof`, `notempty`); every combination of
 * ticks is tried to be sure.
 */
function tickedConjunct(source: Entry, whenEmpty: boolean, holds: (ticked: unknown[]) => boolean): Conjunct {
  const values = source.values!;
  if (values.length > MAX_TICKED_OPTIONS || whenEmpty || holds([])) return { kind: 'complex' };
  const shown = indices(values, (value) => holds([value]));
  for (let mask = 1; mask < 1 << values.length; mask++) {
    const ticked = values.filter((_, i) => mask & (1 << i));
    const expected = values.some((_, i) => mask & (1 << i) && shown.has(i));
    if (holds(ticked) !== expected) return { kind: 'complex' };
  }
  return fromShown('ticked', source, whenEmpty, shown);
}

function answerTexts(source: Entry, options: Set<number>): string[] {
  return source.item.choices.filter((_, i) => options.has(i)).map((c) => c.text);
}
