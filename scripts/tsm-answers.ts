import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A valid answer set of the TSM template, for someone who had a repair and did not complain
 * (tests send it).
 */
export const validTsm = (): Record<string, string> => ({
  overall_satisfaction: 'fairly_satisfied',
  had_repair: 'yes',
  repairs_overall: 'very_satisfied',
  repair_time: 'fairly_dissatisfied',
  home_safe: 'dont_know',
  fair_and_respectful: 'agree',
  made_complaint: 'no',
  has_communal_areas: 'yes',
  communal_areas_clean: 'neither',
});

/** The TSM template's SurveyJS definition, as surveys/tsm-perception.json holds it. */
export function tsmDefinition(): Record<string, unknown> {
  const file = path.join(__dirname, '..', 'surveys', 'tsm-perception.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { definition: Record<string, unknown> }).definition;
}

interface TemplateQuestion {
  type: string;
  name: string;
  isRequired?: boolean;
  visibleIf?: string;
  maxLength?: number;
  choices?: Array<string | { value: string }>;
}

/** Comments tenants might leave, in the languages the service runs in. */
const COMMENTS = [
  'Winda często nie działa, a zgłoszenia czekają tygodniami.',
  'Dziękuję administracji za szybką naprawę dachu.',
  'სადარბაზოში ნათურა უკვე ერთი თვეა არ ანთებს.',
  'Двір прибирають рідко, після дощу стоїть вода.',
  'В подъезде стало чище, спасибо.',
  'The heating came back after two days; nobody told us why it stopped.',
];

/**
 * `count` different valid answer sets of the TSM template, as tenants give them: every required
 * question answered, an optional one left out now and then, a question shown only after some
 * answer (`visibleIf` of the form `{q} = 'v'`) answered only then, a comment in some. The same
 * `seed` gives the same sets. Read from the template; a condition of another form is refused
 * rather than guessed.
 */
export function tsmAnswerSets(count: number, seed = 1): Array<Record<string, string>> {
  const definition = tsmDefinition() as { pages: Array<{ elements: TemplateQuestion[] }> };
  const questions = definition.pages.flatMap((p) => p.elements);
  let state = seed >>> 0 || 1;
  // xorshift32: enough for picking answers, and the same on every machine.
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, () => {
    const answers: Record<string, string> = {};
    for (const q of questions) {
      if (q.visibleIf) {
        const shown = /^\{(\w+)\} = '(\w+)'$/.exec(q.visibleIf);
        if (!shown) throw new Error(`${q.name}: a condition this generator does not read: ${q.visibleIf}`);
        if (answers[shown[1]!] !== shown[2]) continue;
      }
      if (q.type === 'comment') {
        if (random() < 0.15) answers[q.name] = pick(COMMENTS).slice(0, q.maxLength);
      } else if (q.type === 'radiogroup' && q.choices) {
        if (!q.isRequired && random() < 0.2) continue;
        const choice = pick(q.choices);
        answers[q.name] = typeof choice === 'string' ? choice : choice.value;
      } else throw new Error(`${q.name}: a question type this generator does not answer: ${q.type}`);
    }
    return answers;
  });
}
