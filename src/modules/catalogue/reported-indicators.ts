import type { LocalText } from './catalogue';

/**
 * How a reported (management) figure becomes a number:
 * - `rate`: numerator over denominator, published as a share (0–1, shown as %);
 * - `per1000`: numerator per 1,000 of the denominator (homes);
 * - `value`: a plain value with a unit (days, currency per m², ...).
 */
export type ReportedKind = 'rate' | 'per1000' | 'value';

/** Which way is better; percentile ranks are computed in this direction. */
export type Direction = 'higher' | 'lower' | 'neutral';

/** One part of a two-part measure (RP02 emergency and non-emergency, CH01 stage 1 and 2). */
export interface IndicatorPart {
  key: string;
  title: LocalText;
}

/**
 * A service performance indicator that organisations report per period in a data return
 * (management information), beside the survey indicators that answers feed.
 */
export interface ReportedIndicator {
  id: string;
  title: LocalText;
  kind: ReportedKind;
  /** What is counted above the line (rate, per1000) or what the value is (value). */
  numerator: LocalText;
  /** What it is divided by; absent for `value`. */
  denominator?: LocalText;
  /** The denominator counts dwellings, so it cannot exceed the organisation's housing stock. */
  denominatorIsHomes: boolean;
  /** Unit of the published value: `%`, `per 1,000 homes`, `days`, `PLN/m²`. */
  unit: string;
  direction: Direction;
  /** Valid range of the published value (a rate's is 0–1). */
  range: { min: number; max: number };
  /** Parts reported separately; each is benchmarked as `ID.part`. */
  parts: IndicatorPart[];
  /** Rented (lcra) and shared-ownership (lcho) homes reported separately. */
  tenureSplit: boolean;
  /** A change from the previous period beyond this (in the value's unit) needs a comment. */
  changeThreshold: number;
  /** Where the definition comes from. */
  source: string;
  builtIn: boolean;
}

/** The tenures a tenure-split figure is reported for. */
export const TENURES = ['lcra', 'lcho'] as const;

const TSM_SOURCE =
  'Regulator of Social Housing, "Tenant Satisfaction Measures: Technical requirements" (September 2022, in force from 1 April 2023), https://www.gov.uk/government/publications/tenant-satisfaction-measures-technical-requirements';

const homes: LocalText = { default: 'homes (dwellings) owned', pl: 'mieszkania (lokale) w zasobie' };

function rate(
  id: string,
  title: LocalText,
  numerator: LocalText,
  denominator: LocalText,
  extra: Partial<ReportedIndicator> = {},
): ReportedIndicator {
  return {
    id,
    title,
    kind: 'rate',
    numerator,
    denominator,
    denominatorIsHomes: true,
    unit: '%',
    direction: 'higher',
    range: { min: 0, max: 1 },
    parts: [],
    tenureSplit: false,
    changeThreshold: 0.1,
    source: TSM_SOURCE,
    builtIn: true,
    ...extra,
  };
}

function perThousand(
  id: string,
  title: LocalText,
  numerator: LocalText,
  parts: IndicatorPart[],
  extra: Partial<ReportedIndicator> = {},
): ReportedIndicator {
  return {
    id,
    title,
    kind: 'per1000',
    numerator,
    denominator: homes,
    denominatorIsHomes: true,
    unit: 'per 1,000 homes',
    direction: 'neutral',
    range: { min: 0, max: 1000 },
    parts,
    tenureSplit: false,
    changeThreshold: 20,
    source: TSM_SOURCE,
    builtIn: true,
    ...extra,
  };
}

const safetyCheck = (id: string, what: string, co: string, extra: Partial<ReportedIndicator> = {}) =>
  rate(
    id,
    { default: `Homes for which all required ${what} have been carried out`, pl: `Mieszkania z ${co}` },
    { default: `homes for which all required ${what} have been carried out` },
    { default: `homes for which ${what} are required` },
    extra,
  );

/**
 * The TSM management measures (England). Denominators count dwellings, not buildings; CH01 and
 * NM01 are per 1,000 homes. Measures with two parts are benchmarked part by part. The building
 * safety measures cover rented and shared-ownership homes together; a landlord reporting other
 * measures for one tenure only fills in that tenure's figures, so no built-in measure is split.
 */
export const TSM_MANAGEMENT: readonly ReportedIndicator[] = [
  safetyCheck('BS01', 'gas safety checks', 'wszystkimi wymaganymi przeglądami gazowymi'),
  safetyCheck('BS02', 'fire risk assessments', 'wszystkimi wymaganymi ocenami ryzyka pożarowego'),
  safetyCheck('BS03', 'asbestos management surveys or re-inspections', 'wymaganymi przeglądami azbestu'),
  safetyCheck('BS04', 'legionella risk assessments', 'wymaganymi ocenami ryzyka legionelli'),
  safetyCheck('BS05', 'communal passenger lift safety checks', 'wymaganymi przeglądami wind'),
  rate(
    'RP01',
    {
      default: 'Homes that do not meet the Decent Homes Standard',
      pl: 'Mieszkania niespełniające standardu',
    },
    { default: 'homes that do not meet the Decent Homes Standard' },
    homes,
    { direction: 'lower', changeThreshold: 0.05 },
  ),
  rate(
    'RP02',
    {
      default: 'Repairs completed within the landlord’s target timescale',
      pl: 'Naprawy wykonane w docelowym terminie',
    },
    { default: 'repairs completed within the landlord’s target timescale' },
    { default: 'repairs completed' },
    {
      denominatorIsHomes: false,
      parts: [
        { key: 'non_emergency', title: { default: 'Non-emergency repairs', pl: 'Naprawy zwykłe' } },
        { key: 'emergency', title: { default: 'Emergency repairs', pl: 'Naprawy awaryjne' } },
      ],
    },
  ),
  perThousand(
    'CH01',
    { default: 'Complaints received per 1,000 homes', pl: 'Skargi na 1000 mieszkań' },
    { default: 'complaints received' },
    [
      { key: 'stage1', title: { default: 'Stage 1 complaints', pl: 'Skargi pierwszego stopnia' } },
      { key: 'stage2', title: { default: 'Stage 2 complaints', pl: 'Skargi drugiego stopnia' } },
    ],
  ),
  rate(
    'CH02',
    {
      default: 'Complaints responded to within the Complaint Handling Code timescales',
      pl: 'Skargi rozpatrzone w terminie',
    },
    { default: 'complaints responded to within the Housing Ombudsman’s Complaint Handling Code timescales' },
    { default: 'complaints responded to' },
    {
      denominatorIsHomes: false,
      parts: [
        { key: 'stage1', title: { default: 'Stage 1 complaints', pl: 'Skargi pierwszego stopnia' } },
        { key: 'stage2', title: { default: 'Stage 2 complaints', pl: 'Skargi drugiego stopnia' } },
      ],
    },
  ),
  perThousand(
    'NM01',
    {
      default: 'Anti-social behaviour cases opened per 1,000 homes',
      pl: 'Sprawy zachowań aspołecznych na 1000 mieszkań',
    },
    { default: 'anti-social behaviour cases opened' },
    [
      { key: 'all', title: { default: 'All cases', pl: 'Wszystkie sprawy' } },
      {
        key: 'hate',
        title: { default: 'Cases involving hate incidents', pl: 'Sprawy z incydentami nienawiści' },
      },
    ],
  ),
];

const GUS_HOUSING =
  'GUS (Statistics Poland), "Gospodarka mieszkaniowa i infrastruktura komunalna" (yearly; e.g. 2020 and 2022 editions), https://stat.gov.pl';
const BDL = (variable: string, name: string) =>
  `GUS, Bank Danych Lokalnych, variable ${variable} "${name}" (gmina level), https://bdl.stat.gov.pl/BDL/metadane/podgrupy/231`;
const STATUTE =
  'Ustawa z dnia 21 czerwca 2001 r. o ochronie praw lokatorów, mieszkaniowym zasobie gminy i o zmianie Kodeksu cywilnego, art. 21 ust. 2 (the multi-year programme lists the stock, its repairs and its costs)';
const municipalHomes: LocalText = {
  default: 'dwellings in the municipal housing stock',
  pl: 'lokale mieszkalne w mieszkaniowym zasobie gminy',
};

function polish(
  id: string,
  kind: ReportedKind,
  title: LocalText,
  numerator: LocalText,
  direction: Direction,
  source: string,
  extra: Partial<ReportedIndicator> = {},
): ReportedIndicator {
  const base = {
    rate: { unit: '%', range: { min: 0, max: 1 }, changeThreshold: 0.05 },
    per1000: { unit: 'per 1,000 homes', range: { min: 0, max: 10000 }, changeThreshold: 20 },
    value: { unit: '', range: { min: 0, max: 1e9 }, changeThreshold: 0 },
  }[kind];
  return {
    id,
    title,
    kind,
    numerator,
    denominator: kind === 'value' ? undefined : municipalHomes,
    denominatorIsHomes: kind !== 'value',
    direction,
    parts: [],
    tenureSplit: false,
    source,
    builtIn: true,
    ...base,
    ...extra,
  };
}

/**
 * A starter set for Polish municipal housing (mieszkaniowy zasób gminy), each named as Statistics
 * Poland (GUS) collects it from municipalities; denominators are the municipal stock, so groups
 * of cities of different sizes compare. Waiting time for a dwelling and the share of the stock
 * after thermal modernisation are left out: no public definition was found to cite.
 */
export const POLISH_MUNICIPAL: readonly ReportedIndicator[] = [
  polish(
    'PL_WAITING',
    'per1000',
    {
      default: 'Households waiting for a municipal dwelling, per 1,000 municipal dwellings',
      pl: 'Gospodarstwa domowe oczekujące na najem lokalu z zasobu gminy na 1000 lokali',
    },
    {
      default: 'households waiting for the lease of a municipal dwelling or temporary room',
      pl: 'gospodarstwa domowe oczekujące na najem lokali mieszkalnych i tymczasowych pomieszczeń',
    },
    'lower',
    BDL('P3952', 'Gospodarstwa domowe oczekujące na najem lokali mieszkalnych i tymczasowych pomieszczeń'),
  ),
  polish(
    'PL_WAITING_SOCIAL',
    'per1000',
    {
      default: 'Households waiting for a social dwelling, per 1,000 municipal dwellings',
      pl: 'Gospodarstwa domowe oczekujące na najem socjalny na 1000 lokali',
    },
    {
      default: 'households waiting for a social tenancy, including those entitled by eviction judgments',
      pl: 'gospodarstwa domowe oczekujące na najem socjalny lokali, w tym z wyroków eksmisyjnych',
    },
    'lower',
    GUS_HOUSING,
  ),
  polish(
    'PL_VACANT',
    'rate',
    { default: 'Vacant municipal dwellings', pl: 'Pustostany w zasobie gminy' },
    {
      default: 'unoccupied dwellings in the municipal stock',
      pl: 'mieszkania niezamieszkane w zasobie gminy (pustostany)',
    },
    'lower',
    BDL('P2908', 'Mieszkania niezamieszkane (pustostany) w zasobie gminy'),
    { changeThreshold: 0.02 },
  ),
  polish(
    'PL_ARREARS',
    'rate',
    {
      default: 'Dwellings with rent arrears of more than three months',
      pl: 'Lokale z zaległościami w opłatach powyżej trzech miesięcy',
    },
    {
      default: 'municipal dwellings whose tenants are more than three months in arrears',
      pl: 'lokale, których najemcy zalegają z opłatami za mieszkanie ponad trzy miesiące',
    },
    'lower',
    GUS_HOUSING,
    { changeThreshold: 0.03 },
  ),
  polish(
    'PL_EVICTIONS',
    'per1000',
    {
      default: 'Eviction proceedings per 1,000 municipal dwellings',
      pl: 'Postępowania eksmisyjne na 1000 lokali gminnych',
    },
    { default: 'eviction proceedings concerning municipal dwellings', pl: 'postępowania eksmisyjne' },
    'lower',
    GUS_HOUSING,
    { changeThreshold: 5 },
  ),
  polish(
    'PL_SOCIAL_LEASES',
    'rate',
    { default: 'Social tenancies among municipal leases', pl: 'Udział umów najmu socjalnego' },
    {
      default: 'social tenancy contracts (najem socjalny)',
      pl: 'umowy o najem socjalny lokali mieszkalnych',
    },
    'neutral',
    GUS_HOUSING,
    { denominator: { default: 'lease contracts of municipal dwellings', pl: 'umowy najmu lokali gminnych' } },
  ),
  polish(
    'PL_REPAIRED',
    'rate',
    { default: 'Municipal dwellings repaired in the year', pl: 'Lokale gminne wyremontowane w roku' },
    { default: 'dwellings repaired', pl: 'remonty mieszkań w budynkach mieszkalnych' },
    'higher',
    `${GUS_HOUSING}; ${STATUTE}`,
  ),
  polish(
    'PL_COST_M2',
    'value',
    {
      default: 'Monthly cost of maintaining 1 m² of usable floor area',
      pl: 'Miesięczny koszt utrzymania 1 m² powierzchni użytkowej',
    },
    {
      default: 'running, repair and management costs per m² of usable floor area per month',
      pl: 'koszty utrzymania zasobów lokalowych na 1 m² powierzchni użytkowej miesięcznie',
    },
    'lower',
    `GUS survey 1.26.01 ("koszty utrzymania zasobów lokalowych"); ${STATUTE}`,
    { unit: 'PLN/m² per month', range: { min: 0, max: 200 }, changeThreshold: 2 },
  ),
];

/** The built-in reported indicators. */
export const BUILT_IN_REPORTED: readonly ReportedIndicator[] = Object.freeze([
  ...TSM_MANAGEMENT,
  ...POLISH_MUNICIPAL,
]);

/** The benchmark key of a figure: `ID`, `ID.part`, `ID.part.tenure` or `ID.tenure`. */
export function figureKey(indicator: string, part: string, tenure: string): string {
  return [indicator, part, tenure].filter(Boolean).join('.');
}

/** Every figure a complete return of an indicator holds: its parts times its tenures. */
export function figureSlots(def: ReportedIndicator): Array<{ part: string; tenure: string }> {
  const parts = def.parts.length ? def.parts.map((p) => p.key) : [''];
  const tenures = def.tenureSplit ? [...TENURES] : [''];
  return parts.flatMap((part) => tenures.map((tenure) => ({ part, tenure })));
}

/** The figure key split back into indicator, part and tenure, or null. */
export function parseFigureKey(
  key: string,
  catalogue: ReadonlyMap<string, ReportedIndicator>,
): { def: ReportedIndicator; part: string; tenure: string } | null {
  const def = catalogue.get(key.split('.')[0] ?? '');
  if (!def) return null;
  for (const slot of figureSlots(def)) {
    if (figureKey(def.id, slot.part, slot.tenure) === key) return { def, ...slot };
  }
  return null;
}

/**
 * The published value of a figure: a rate's share, a count per 1,000 homes, or the value.
 * Null when the figure cannot give one (missing parts, a zero denominator).
 */
export function figureValue(
  def: Pick<ReportedIndicator, 'kind'>,
  f: { numerator?: number | null; denominator?: number | null; value?: number | null },
): number | null {
  if (def.kind === 'value') return f.value ?? null;
  if (f.numerator === null || f.numerator === undefined) return null;
  if (!f.denominator) return null;
  return def.kind === 'rate' ? f.numerator / f.denominator : (1000 * f.numerator) / f.denominator;
}
