/** How an indicator turns answers into a number. */
export type IndicatorKind = 'share' | 'nps' | 'mean';

/** A localised text: `default` is English. */
export type LocalText = Record<string, string> & { default: string };

/**
 * An indicator defined once and measured by many survey versions: any question, in any
 * wording or language, that maps its answers onto `scale` feeds the same numbers.
 */
export interface IndicatorDefinition {
  id: string;
  title: LocalText;
  kind: IndicatorKind;
  /** Substantive answers, best first. Numbers for nps (0–10) and mean. */
  scale: Array<string | number>;
  /** Answers counted as positive (share); promoters for nps are 9–10 by definition. */
  positive: Array<string | number>;
  /** Answers excluded from the base: don't know, not applicable. */
  excluded: string[];
  /** Below this base the value is not published to other organisations. */
  minN: number;
  builtIn: boolean;
}

/** The five-point TSM satisfaction scale; the measure is the share of the first two. */
export const SATISFACTION_SCALE = [
  'very_satisfied',
  'fairly_satisfied',
  'neither',
  'fairly_dissatisfied',
  'very_dissatisfied',
];
/** The agreement scale TP08 uses. */
export const AGREEMENT_SCALE = ['strongly_agree', 'agree', 'neither', 'disagree', 'strongly_disagree'];
/** Answers that leave the base instead of counting against the landlord. */
export const EXCLUDED_ANSWERS = ['dont_know', 'not_applicable'];

const tsm: Array<[string, string, string]> = [
  ['TP01', 'Overall satisfaction with the landlord’s service', 'Ogólne zadowolenie z usług zarządcy'],
  [
    'TP02',
    'Satisfaction with the overall repairs service (last 12 months)',
    'Zadowolenie z obsługi napraw (ostatnie 12 miesięcy)',
  ],
  [
    'TP03',
    'Satisfaction with the time taken to complete the most recent repair',
    'Zadowolenie z czasu wykonania ostatniej naprawy',
  ],
  ['TP04', 'Satisfaction that the home is well maintained', 'Zadowolenie z utrzymania mieszkania'],
  ['TP05', 'Satisfaction that the home is safe', 'Zadowolenie z bezpieczeństwa mieszkania'],
  [
    'TP06',
    'Satisfaction that the landlord listens to views and acts upon them',
    'Zarządca słucha opinii i działa na ich podstawie',
  ],
  [
    'TP07',
    'Satisfaction that the landlord keeps tenants informed',
    'Zarządca informuje o sprawach ważnych dla lokatorów',
  ],
  [
    'TP08',
    'Agreement that the landlord treats tenants fairly and with respect',
    'Zarządca traktuje lokatorów uczciwie i z szacunkiem',
  ],
  [
    'TP09',
    'Satisfaction with the landlord’s approach to complaints handling',
    'Zadowolenie z rozpatrywania skarg',
  ],
  [
    'TP10',
    'Satisfaction that communal areas are kept clean and well maintained',
    'Części wspólne są czyste i dobrze utrzymane',
  ],
  [
    'TP11',
    'Satisfaction that the landlord makes a positive contribution to the neighbourhood',
    'Zarządca pozytywnie wpływa na okolicę',
  ],
  [
    'TP12',
    'Satisfaction with the landlord’s approach to handling anti-social behaviour',
    'Zadowolenie z reagowania na zachowania aspołeczne',
  ],
];

/** The built-in catalogue: TSM TP01–TP12, NPS and CSAT. */
export const BUILT_IN_INDICATORS: readonly IndicatorDefinition[] = Object.freeze([
  ...tsm.map(([id, en, pl]) => {
    const agreement = id === 'TP08';
    const scale = agreement ? AGREEMENT_SCALE : SATISFACTION_SCALE;
    return {
      id,
      title: { default: en, pl },
      kind: 'share' as const,
      scale,
      positive: scale.slice(0, 2),
      excluded: EXCLUDED_ANSWERS,
      minN: 10,
      builtIn: true,
    };
  }),
  {
    id: 'NPS',
    title: { default: 'Net Promoter Score', pl: 'Wskaźnik rekomendacji (NPS)' },
    kind: 'nps',
    scale: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    positive: [10, 9],
    excluded: EXCLUDED_ANSWERS,
    minN: 10,
    builtIn: true,
  },
  {
    id: 'CSAT',
    title: {
      default: 'Customer satisfaction (top-2-box of 5)',
      pl: 'Zadowolenie klienta (2 najwyższe oceny z 5)',
    },
    kind: 'share',
    scale: [5, 4, 3, 2, 1],
    positive: [5, 4],
    excluded: EXCLUDED_ANSWERS,
    minN: 10,
    builtIn: true,
  },
]);
