/**
 * The council pack: an organisation's survey results for one period as a printable A4 PDF for a
 * council or board meeting. Cover, headline indicators with their intervals and flags, where the
 * organisation stands among all others (a distribution, never a league table), its trend, values
 * per segment with small cells hidden, and a page on method. Black on white throughout; every
 * fixed phrase is in the one table below.
 */
import { benchmarkSpec, trendSpec, type BenchmarkBody, type TrendBody } from '../../charts/specs';
import { drawSvg, specToSvg, svgSize } from '../../charts/render';
import type { AuthContext } from '../../http/context';
import { BOLD, REGULAR, createDocument, render } from '../../pdf/document';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { benchmark, ownIndicators, ownValueView, trend } from '../indicators/scores.service';
import { getOrganisation } from '../organisations/organisations.service';
import { MODES, type ModeCounts } from '../responses/modes';
import { phrase as approachPhrase } from '../weighting/approach-pdf';
import { marginOfErrorFor } from '../weighting/sample-size';

/** Languages the pack can be printed in. */
export const PACK_LANGUAGES = ['en', 'pl', 'uk', 'ru', 'ka'] as const;

/** One of {@link PACK_LANGUAGES}. */
export type PackLanguage = (typeof PACK_LANGUAGES)[number];

type TextKey =
  | 'title'
  | 'subtitle'
  | 'period'
  | 'generated'
  | 'headlines'
  | 'noValues'
  | 'valueLine'
  | 'baseLine'
  | 'byMode'
  | 'weightedLine'
  | 'notWeighted'
  | 'flagPrimary'
  | 'flagSecondary'
  | 'flagMethod'
  | 'benchmark'
  | 'benchmarkNote'
  | 'noBenchmark'
  | 'trend'
  | 'trendNote'
  | 'segments'
  | 'segment'
  | 'value'
  | 'interval'
  | 'noSegment'
  | 'suppressedNote'
  | 'noSegments'
  | 'method'
  | 'sample'
  | 'responseRate'
  | 'margin'
  | 'marginNote'
  | 'suppression'
  | 'suppressionRule'
  | 'statistics'
  | 'intervalRule'
  | 'quantileRule';

/** Every phrase of the pack in every language; `{name}` marks a value filled in. */
export const TEXTS: Record<PackLanguage, Record<TextKey, string>> = {
  en: {
    title: 'Council pack',
    subtitle: 'Tenant satisfaction survey results',
    period: 'Period: {period}',
    generated: 'Generated {date}',
    headlines: 'Headline indicators',
    noValues: 'No indicator values for this period.',
    valueLine: 'Value: {value} (95% interval: {low}–{high})',
    baseLine: 'Base n: {n}; responses: {responses}; response rate: {rate}',
    byMode: 'n by collection mode: {list}',
    weightedLine: 'Weighted: {value} (95% interval: {low}–{high}; effective n: {neff})',
    notWeighted: 'Not weighted: {reason}',
    flagPrimary: 'Base below the minimum n of {minN}: not published to other organisations',
    flagSecondary:
      'Hidden to protect a small cell (secondary suppression): not published to other organisations',
    flagMethod: 'The question or its scale changed: compare with earlier periods with care',
    benchmark: 'Compared with all organisations',
    benchmarkNote:
      'Each circle is an organisation whose value is published ({count}); the shaded band holds the middle half of them and the vertical line is the median. Your organisation is the black diamond. Percentile rank: {rank}.',
    noBenchmark: 'No published values to compare with.',
    trend: 'Trend',
    trendNote:
      'Your value per period (solid line, 95% interval shaded) and the median of all organisations (dashed line). A triangle marks a period where the method changed.',
    segments: 'Results by segment',
    segment: 'Segment',
    value: 'Value',
    interval: '95% interval',
    noSegment: '(no segment)',
    suppressedNote:
      '— not shown: the base is below the minimum n, or the cell would let a hidden one be worked out (secondary suppression).',
    noSegments: 'No values per segment for this period.',
    method: 'Method',
    sample: 'Sample size and response rate',
    responseRate: 'Response rate: {rate}',
    margin: 'Margin of error',
    marginNote: 'At 95% confidence for a share near 50%, with the finite population correction.',
    suppression: 'Suppression rules',
    suppressionRule:
      'A value whose base is below the indicator’s minimum n ({list}) is not shown to other organisations; your own organisation still sees it, flagged. Where a hidden cell could be recovered by subtraction from a total, a second cell is hidden too (secondary suppression).',
    statistics: 'Intervals and quartiles',
    intervalRule:
      'Shares carry a 95% Wilson score interval, NPS and means a 95% normal interval; where the housing stock is known the finite population correction is applied.',
    quantileRule:
      'Quartiles and medians use Hyndman–Fan type 7 (linear interpolation between order statistics, the default of R and NumPy) over published values; the percentile rank counts the values below yours plus half of those equal.',
  },
  pl: {
    title: 'Raport dla rady',
    subtitle: 'Wyniki badania satysfakcji najemców',
    period: 'Okres: {period}',
    generated: 'Wygenerowano {date}',
    headlines: 'Najważniejsze wskaźniki',
    noValues: 'Brak wartości wskaźników za ten okres.',
    valueLine: 'Wartość: {value} (przedział 95%: {low}–{high})',
    baseLine: 'Baza n: {n}; odpowiedzi: {responses}; wskaźnik odpowiedzi: {rate}',
    byMode: 'n według sposobu zbierania: {list}',
    weightedLine: 'Po ważeniu: {value} (przedział 95%: {low}–{high}; efektywna liczebność: {neff})',
    notWeighted: 'Bez ważenia: {reason}',
    flagPrimary:
      'Baza poniżej minimalnej liczebności {minN}: wartość nie jest udostępniana innym organizacjom',
    flagSecondary:
      'Ukryta dla ochrony małej komórki (ukrycie wtórne): wartość nie jest udostępniana innym organizacjom',
    flagMethod: 'Zmieniono pytanie lub skalę: porównania z wcześniejszymi okresami wymagają ostrożności',
    benchmark: 'Porównanie ze wszystkimi organizacjami',
    benchmarkNote:
      'Każde kółko to organizacja z opublikowaną wartością ({count}); zacieniony pas obejmuje środkową połowę z nich, a pionowa linia to mediana. Wasza organizacja to czarny romb. Ranga centylowa: {rank}.',
    noBenchmark: 'Brak opublikowanych wartości do porównania.',
    trend: 'Trend',
    trendNote:
      'Wasza wartość w kolejnych okresach (linia ciągła, zacieniony przedział 95%) i mediana wszystkich organizacji (linia przerywana). Trójkąt oznacza okres, w którym zmieniono metodę.',
    segments: 'Wyniki według segmentów',
    segment: 'Segment',
    value: 'Wartość',
    interval: 'Przedział 95%',
    noSegment: '(bez segmentu)',
    suppressedNote:
      '— nie pokazano: baza jest mniejsza od minimalnej liczebności albo komórka pozwoliłaby odtworzyć ukrytą wartość (ukrycie wtórne).',
    noSegments: 'Brak wartości według segmentów za ten okres.',
    method: 'Metodologia',
    sample: 'Liczebność próby i wskaźnik odpowiedzi',
    responseRate: 'Wskaźnik odpowiedzi: {rate}',
    margin: 'Błąd oszacowania',
    marginNote: 'Przy ufności 95% dla odsetka bliskiego 50%, z poprawką na skończoną populację.',
    suppression: 'Zasady ukrywania wartości',
    suppressionRule:
      'Wartość z bazą mniejszą niż minimalna liczebność wskaźnika ({list}) nie jest pokazywana innym organizacjom; Wasza organizacja nadal ją widzi, oznaczoną. Gdy ukrytą komórkę dałoby się odtworzyć przez odjęcie od sumy, ukrywana jest też druga komórka (ukrycie wtórne).',
    statistics: 'Przedziały i kwartyle',
    intervalRule:
      'Odsetki mają 95% przedział Wilsona, NPS i średnie 95% przedział normalny; przy znanej liczbie mieszkań stosowana jest poprawka na skończoną populację.',
    quantileRule:
      'Kwartyle i mediany liczone metodą Hyndmana–Fana typu 7 (interpolacja liniowa między statystykami pozycyjnymi, domyślna w R i NumPy) z opublikowanych wartości; ranga centylowa liczy wartości niższe od Waszej i połowę równych.',
  },
  uk: {
    title: 'Звіт для ради',
    subtitle: 'Результати опитування задоволеності орендарів',
    period: 'Період: {period}',
    generated: 'Створено {date}',
    headlines: 'Основні показники',
    noValues: 'Немає значень показників за цей період.',
    valueLine: 'Значення: {value} (95% інтервал: {low}–{high})',
    baseLine: 'База n: {n}; відповідей: {responses}; рівень відповідей: {rate}',
    byMode: 'n за способом збору: {list}',
    weightedLine: 'Зважене: {value} (95% інтервал: {low}–{high}; ефективний n: {neff})',
    notWeighted: 'Не зважено: {reason}',
    flagPrimary: 'База менша за мінімальний n = {minN}: значення не публікується для інших організацій',
    flagSecondary:
      'Приховано для захисту малої клітинки (вторинне приховування): значення не публікується для інших організацій',
    flagMethod: 'Змінено запитання або шкалу: порівнюйте з попередніми періодами обережно',
    benchmark: 'Порівняння з усіма організаціями',
    benchmarkNote:
      'Кожне коло — організація з опублікованим значенням ({count}); затінена смуга охоплює середню половину з них, вертикальна лінія — медіана. Ваша організація — чорний ромб. Процентильний ранг: {rank}.',
    noBenchmark: 'Немає опублікованих значень для порівняння.',
    trend: 'Динаміка',
    trendNote:
      'Ваше значення за періодами (суцільна лінія, затінений 95% інтервал) і медіана всіх організацій (пунктир). Трикутник позначає період, коли змінився метод.',
    segments: 'Результати за сегментами',
    segment: 'Сегмент',
    value: 'Значення',
    interval: '95% інтервал',
    noSegment: '(без сегмента)',
    suppressedNote:
      '— не показано: база менша за мінімальний n або клітинка дозволила б обчислити приховане значення (вторинне приховування).',
    noSegments: 'Немає значень за сегментами за цей період.',
    method: 'Методологія',
    sample: 'Розмір вибірки та рівень відповідей',
    responseRate: 'Рівень відповідей: {rate}',
    margin: 'Похибка',
    marginNote: 'З довірчою ймовірністю 95% для частки близько 50%, з поправкою на скінченну сукупність.',
    suppression: 'Правила приховування',
    suppressionRule:
      'Значення з базою, меншою за мінімальний n показника ({list}), не показується іншим організаціям; ваша організація бачить його з позначкою. Якщо приховану клітинку можна відновити відніманням від підсумку, приховується ще одна (вторинне приховування).',
    statistics: 'Інтервали та квартилі',
    intervalRule:
      'Частки мають 95% інтервал Вілсона, NPS і середні — 95% нормальний інтервал; за відомої кількості помешкань застосовано поправку на скінченну сукупність.',
    quantileRule:
      'Квартилі й медіани обчислено методом Гайндмана–Фана типу 7 (лінійна інтерполяція між порядковими статистиками, типово в R і NumPy) за опублікованими значеннями; процентильний ранг враховує значення, нижчі за ваше, і половину рівних.',
  },
  ru: {
    title: 'Отчёт для совета',
    subtitle: 'Результаты опроса удовлетворённости арендаторов',
    period: 'Период: {period}',
    generated: 'Создано {date}',
    headlines: 'Основные показатели',
    noValues: 'Нет значений показателей за этот период.',
    valueLine: 'Значение: {value} (95% интервал: {low}–{high})',
    baseLine: 'База n: {n}; ответов: {responses}; доля ответивших: {rate}',
    byMode: 'n по способу сбора: {list}',
    weightedLine: 'Взвешенное: {value} (95% интервал: {low}–{high}; эффективный n: {neff})',
    notWeighted: 'Не взвешено: {reason}',
    flagPrimary: 'База меньше минимального n = {minN}: значение не публикуется для других организаций',
    flagSecondary:
      'Скрыто для защиты малой ячейки (вторичное скрытие): значение не публикуется для других организаций',
    flagMethod: 'Изменён вопрос или шкала: сравнивайте с прежними периодами осторожно',
    benchmark: 'Сравнение со всеми организациями',
    benchmarkNote:
      'Каждый круг — организация с опубликованным значением ({count}); затенённая полоса охватывает среднюю половину из них, вертикальная линия — медиана. Ваша организация — чёрный ромб. Процентильный ранг: {rank}.',
    noBenchmark: 'Нет опубликованных значений для сравнения.',
    trend: 'Динамика',
    trendNote:
      'Ваше значение по периодам (сплошная линия, затенённый 95% интервал) и медиана всех организаций (пунктир). Треугольник отмечает период, когда изменился метод.',
    segments: 'Результаты по сегментам',
    segment: 'Сегмент',
    value: 'Значение',
    interval: '95% интервал',
    noSegment: '(без сегмента)',
    suppressedNote:
      '— не показано: база меньше минимального n или ячейка позволила бы вычислить скрытое значение (вторичное скрытие).',
    noSegments: 'Нет значений по сегментам за этот период.',
    method: 'Методология',
    sample: 'Размер выборки и доля ответивших',
    responseRate: 'Доля ответивших: {rate}',
    margin: 'Погрешность',
    marginNote: 'При доверительной вероятности 95% для доли около 50%, с поправкой на конечную совокупность.',
    suppression: 'Правила скрытия',
    suppressionRule:
      'Значение с базой меньше минимального n показателя ({list}) не показывается другим организациям; ваша организация видит его с пометкой. Если скрытую ячейку можно восстановить вычитанием из итога, скрывается ещё одна (вторичное скрытие).',
    statistics: 'Интервалы и квартили',
    intervalRule:
      'Доли имеют 95% интервал Уилсона, NPS и средние — 95% нормальный интервал; при известном числе жилых помещений применяется поправка на конечную совокупность.',
    quantileRule:
      'Квартили и медианы вычислены методом Хайндмана–Фана типа 7 (линейная интерполяция между порядковыми статистиками, по умолчанию в R и NumPy) по опубликованным значениям; процентильный ранг учитывает значения ниже вашего и половину равных.',
  },
  ka: {
    title: 'ანგარიში საბჭოსთვის',
    subtitle: 'მოიჯარეთა კმაყოფილების კვლევის შედეგები',
    period: 'პერიოდი: {period}',
    generated: 'შექმნილია: {date}',
    headlines: 'ძირითადი ინდიკატორები',
    noValues: 'ამ პერიოდისთვის ინდიკატორების მნიშვნელობები არ არის.',
    valueLine: 'მნიშვნელობა: {value} (95%-იანი ინტერვალი: {low}–{high})',
    baseLine: 'ბაზა n: {n}; პასუხები: {responses}; პასუხის მაჩვენებელი: {rate}',
    byMode: 'n შეგროვების მეთოდის მიხედვით: {list}',
    weightedLine: 'შეწონილი: {value} (95%-იანი ინტერვალი: {low}–{high}; ეფექტური n: {neff})',
    notWeighted: 'არ არის შეწონილი: {reason}',
    flagPrimary: 'ბაზა მინიმალურ n = {minN}-ზე ნაკლებია: მნიშვნელობა სხვა ორგანიზაციებისთვის არ ქვეყნდება',
    flagSecondary:
      'დამალულია მცირე უჯრის დასაცავად (მეორადი დამალვა): მნიშვნელობა სხვა ორგანიზაციებისთვის არ ქვეყნდება',
    flagMethod: 'შეიცვალა კითხვა ან სკალა: წინა პერიოდებთან შედარებისას იყავით ფრთხილად',
    benchmark: 'შედარება ყველა ორგანიზაციასთან',
    benchmarkNote:
      'თითოეული წრე არის ორგანიზაცია გამოქვეყნებული მნიშვნელობით ({count}); დაჩრდილული ზოლი მოიცავს მათ შუა ნახევარს, ვერტიკალური ხაზი მედიანაა. თქვენი ორგანიზაცია შავი რომბია. პროცენტილური რანგი: {rank}.',
    noBenchmark: 'შესადარებელი გამოქვეყნებული მნიშვნელობები არ არის.',
    trend: 'დინამიკა',
    trendNote:
      'თქვენი მნიშვნელობა პერიოდების მიხედვით (უწყვეტი ხაზი, დაჩრდილული 95%-იანი ინტერვალი) და ყველა ორგანიზაციის მედიანა (წყვეტილი ხაზი). სამკუთხედი აღნიშნავს პერიოდს, როცა მეთოდი შეიცვალა.',
    segments: 'შედეგები სეგმენტების მიხედვით',
    segment: 'სეგმენტი',
    value: 'მნიშვნელობა',
    interval: '95%-იანი ინტერვალი',
    noSegment: '(სეგმენტის გარეშე)',
    suppressedNote:
      '— არ არის ნაჩვენები: ბაზა მინიმალურ n-ზე ნაკლებია, ან უჯრა დამალული მნიშვნელობის გამოთვლის საშუალებას მისცემდა (მეორადი დამალვა).',
    noSegments: 'ამ პერიოდისთვის სეგმენტების მნიშვნელობები არ არის.',
    method: 'მეთოდოლოგია',
    sample: 'შერჩევის ზომა და პასუხის მაჩვენებელი',
    responseRate: 'პასუხის მაჩვენებელი: {rate}',
    margin: 'ცდომილება',
    marginNote: '95%-იანი ნდობის ალბათობით, 50%-თან ახლოს მყოფი წილისთვის, სასრული ერთობლიობის შესწორებით.',
    suppression: 'დამალვის წესები',
    suppressionRule:
      'მნიშვნელობა, რომლის ბაზა ინდიკატორის მინიმალურ n-ზე ({list}) ნაკლებია, სხვა ორგანიზაციებს არ ეჩვენებათ; თქვენი ორგანიზაცია მას აღნიშვნით ხედავს. თუ დამალული უჯრის აღდგენა ჯამიდან გამოკლებით შეიძლება, მეორე უჯრაც იმალება (მეორადი დამალვა).',
    statistics: 'ინტერვალები და კვარტილები',
    intervalRule:
      'წილებს აქვს 95%-იანი უილსონის ინტერვალი, NPS-სა და საშუალოებს — 95%-იანი ნორმალური ინტერვალი; საცხოვრებლების ცნობილი რაოდენობისას გამოიყენება სასრული ერთობლიობის შესწორება.',
    quantileRule:
      'კვარტილები და მედიანები გამოთვლილია ჰაინდმან–ფანის მე-7 ტიპის მეთოდით (წრფივი ინტერპოლაცია რიგით სტატისტიკებს შორის, R-ისა და NumPy-ის ნაგულისხმევი) გამოქვეყნებული მნიშვნელობებიდან; პროცენტილური რანგი ითვლის თქვენზე დაბალ მნიშვნელობებს და ტოლების ნახევარს.',
  },
};

/** A phrase with its `{name}` placeholders filled. */
export function text(lang: PackLanguage, key: TextKey, values: Record<string, string | number> = {}): string {
  return TEXTS[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The pack's language: the one asked for, else the organisation's first that the pack speaks. */
export function packLanguage(asked: string | undefined, languages: readonly string[]): PackLanguage {
  const known = (l: string | undefined) => PACK_LANGUAGES.find((p) => p === l?.toLowerCase().split('-')[0]);
  return known(asked) ?? known(languages[0]) ?? 'en';
}

function locale(lang: PackLanguage): string {
  // Dates in English are written the British way, as in the other printed documents.
  return lang === 'en' ? 'en-GB' : lang;
}

/**
 * An indicator value as the pack prints it: shares as percentages with one decimal, NPS with at
 * most one decimal, means with two, in the language's number format; "—" when there is none.
 */
export function formatValue(kind: string, v: number | null | undefined, lang: PackLanguage): string {
  if (v === null || v === undefined) return '—';
  const loc = locale(lang);
  if (kind === 'share')
    return new Intl.NumberFormat(loc, {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(v);
  if (kind === 'nps') return new Intl.NumberFormat(loc, { maximumFractionDigits: 1 }).format(v);
  return new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
}

type OwnValue = ReturnType<typeof ownValueView>;

/** The `weighted` field of a value, as the weighting publishes it. */
type Weighted =
  | {
      status: 'weighted';
      value: number | null;
      low: number | null;
      high: number | null;
      effectiveN: number;
      variables: string[];
      trim?: { min?: number; max?: number };
      converged: boolean;
      designEffect?: number;
    }
  | { status: 'not-weighted'; reason: string; variables: string[] };

/** One headline indicator with its comparison, drawn as SVG for the page. */
interface Headline {
  id: string;
  title: string;
  kind: string;
  minN: number;
  value: OwnValue;
  benchmark: BenchmarkBody;
  trend: TrendBody;
  benchmarkSvg: string;
  trendSvg: string;
}

/** Everything the PDF shows, gathered before drawing starts. */
export interface CouncilPack {
  organisation: { slug: string; name: string; housingStock: number | null };
  period: string;
  lang: PackLanguage;
  generatedAt: Date;
  headlines: Headline[];
  /** Values of the segments, by indicator, in segment order. */
  segments: Array<{ id: string; title: string; kind: string; rows: OwnValue[] }>;
}

const CONTENT_WIDTH = 483;

/**
 * Gathers a pack: the organisation's values for the period, and per survey indicator the same
 * benchmark (peer group `all`) and trend the API answers, charted with the shared specs.
 * Admins and analysts get their own organisation (another's is "not found"); platform keys any.
 *
 * @throws NotFoundError when the organisation is missing or not the caller's
 */
export async function gatherCouncilPack(
  caller: AuthContext,
  q: { org: string; period: string; lang?: string },
): Promise<CouncilPack> {
  const org = await getOrganisation(caller, q.org);
  const orgId = org._id.toHexString();
  // A platform key has no organisation of its own: it reads the pack as the organisation would.
  const viewer: AuthContext =
    caller.organisationId === orgId ? caller : { ...caller, organisationId: orgId, role: 'analyst' };
  const lang = packLanguage(q.lang, org.languages);
  const [{ items }, catalogue] = await Promise.all([
    ownIndicators(viewer, { period: q.period }),
    loadCatalogue(),
  ]);
  const titleOf = (id: string) => {
    const title = catalogue.get(id)?.title;
    return title ? (title[lang] ?? title.default) : id;
  };
  const headlines: Headline[] = [];
  for (const value of items.filter((v) => v.segment === '*')) {
    const def = catalogue.get(value.indicator);
    const [bench, history] = await Promise.all([
      benchmark(viewer, value.indicator, { period: q.period, segment: '*', peerGroup: 'all' }),
      trend(viewer, value.indicator, { segment: '*', peerGroup: 'all' }),
    ]);
    const b = bench as BenchmarkBody;
    const t = history as TrendBody;
    const chart = { lang, width: 400 };
    const [benchmarkSvg, trendSvg] = await Promise.all([
      specToSvg(benchmarkSpec(b, { ...chart, height: 100 })),
      specToSvg(trendSpec(t, { ...chart, height: 150, kind: value.kind })),
    ]);
    headlines.push({
      id: value.indicator,
      title: titleOf(value.indicator),
      kind: value.kind,
      minN: def?.minN ?? value.minN,
      value,
      benchmark: b,
      trend: t,
      benchmarkSvg,
      trendSvg,
    });
  }
  const bySegment = new Map<string, OwnValue[]>();
  for (const v of items.filter((i) => i.segment !== '*'))
    bySegment.set(v.indicator, [...(bySegment.get(v.indicator) ?? []), v]);
  return {
    organisation: { slug: org.slug, name: org.name, housingStock: org.housingStock ?? null },
    period: q.period,
    lang,
    generatedAt: new Date(),
    headlines,
    segments: [...bySegment].map(([id, rows]) => ({
      id,
      title: titleOf(id),
      kind: rows[0]!.kind,
      rows: rows.sort((a, b) => a.segment.localeCompare(b.segment)),
    })),
  };
}

const MARGIN = 56;

/** The pack as an A4 PDF. */
export function councilPackPdf(pack: CouncilPack): Promise<Buffer> {
  const { lang } = pack;
  const say = (key: TextKey, values?: Record<string, string | number>) => text(lang, key, values);
  const sayApproach = (key: Parameters<typeof approachPhrase>[1], values?: Record<string, string | number>) =>
    approachPhrase(lang, key, values);
  const loc = locale(lang);
  const int = new Intl.NumberFormat(loc, { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(loc, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 1 });
  const fmt = (kind: string, v: number | null | undefined) => formatValue(kind, v, lang);
  const modeList = (counts: ModeCounts) =>
    MODES.filter((m) => counts[m])
      .map((m) => `${sayApproach(`mode.${m}`)}: ${int.format(counts[m]!)}`)
      .join('; ');

  const title = `${say('title')} – ${pack.organisation.name} – ${pack.period}`;
  const doc = createDocument(title, pack.organisation.name, lang);
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: MARGIN });
    doc.x = MARGIN;
    doc.y = MARGIN;
  };
  const bottom = () => doc.page.height - MARGIN;
  // Every block is placed whole: pdfkit's own page breaks would open pages without margins.
  const block = (
    body: string,
    opts: { font?: string; size?: number; indent?: number; keep?: number; x?: number; width?: number } = {},
  ) => {
    const indent = opts.indent ?? 0;
    doc.font(opts.font ?? REGULAR).fontSize(opts.size ?? 10);
    const w = opts.width ?? CONTENT_WIDTH - indent;
    const height = doc.heightOfString(body, { width: w });
    if (doc.y + height + (opts.keep ?? 0) > bottom()) newPage();
    doc.fillColor('black').text(body, (opts.x ?? MARGIN) + indent, doc.y, { width: w });
  };
  const heading = (body: string, size = 14) => {
    doc.moveDown(0.6);
    block(body, { font: BOLD, size, keep: 40 });
    const y = doc.y + 2;
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + CONTENT_WIDTH, y)
      .lineWidth(0.5)
      .strokeColor('black')
      .stroke();
    doc.y = y + 6;
  };
  const subheading = (body: string) => {
    doc.moveDown(0.4);
    block(body, { font: BOLD, size: 11, keep: 30 });
    doc.moveDown(0.2);
  };
  const chart = (svg: string) => {
    const size = svgSize(svg);
    const height = (CONTENT_WIDTH * size.height) / size.width || CONTENT_WIDTH / 2;
    if (doc.y + height > bottom()) newPage();
    const top = doc.y;
    drawSvg(doc, svg, MARGIN, top, CONTENT_WIDTH);
    doc.x = MARGIN;
    doc.y = top + height + 4;
  };

  const cover = () => {
    newPage();
    doc.y = 200;
    block(say('title'), { font: BOLD, size: 28 });
    doc.moveDown(0.3);
    block(say('subtitle'), { size: 14 });
    doc.moveDown(2);
    block(pack.organisation.name, { font: BOLD, size: 20 });
    doc.moveDown(0.5);
    block(say('period', { period: pack.period }), { size: 13 });
    doc.moveDown(0.3);
    const date = new Intl.DateTimeFormat(loc, { dateStyle: 'long', timeZone: 'UTC' });
    block(say('generated', { date: date.format(pack.generatedAt) }), { size: 11 });
  };

  const flagsOf = (h: { value: OwnValue; minN: number }) => {
    const flags: string[] = [];
    if (h.value.suppressed === 'primary') flags.push(say('flagPrimary', { minN: h.minN }));
    if (h.value.suppressed === 'secondary') flags.push(say('flagSecondary'));
    if (h.value.methodChanged) flags.push(say('flagMethod'));
    return flags;
  };

  const headlinePage = () => {
    newPage();
    heading(say('headlines'), 16);
    if (!pack.headlines.length) block(say('noValues'));
    for (const h of pack.headlines) {
      const v = h.value;
      subheading(`${h.id} · ${h.title}`);
      block(
        say('valueLine', { value: fmt(h.kind, v.value), low: fmt(h.kind, v.low), high: fmt(h.kind, v.high) }),
      );
      block(
        say('baseLine', {
          n: int.format(v.n),
          responses: v.responses === null ? '—' : int.format(v.responses),
          rate: v.responseRate === null ? '—' : pct.format(v.responseRate),
        }),
      );
      const modes = modeList(v.nByMode);
      if (modes) block(say('byMode', { list: modes }));
      const w = v.weighted as Weighted | null;
      if (w?.status === 'weighted')
        block(
          say('weightedLine', {
            value: fmt(h.kind, w.value),
            low: fmt(h.kind, w.low),
            high: fmt(h.kind, w.high),
            neff: oneDecimal.format(w.effectiveN),
          }),
        );
      else if (w?.status === 'not-weighted') block(say('notWeighted', { reason: w.reason }));
      for (const flag of flagsOf(h)) block(`▲ ${flag}`, { indent: 8 });
    }
  };

  const chartPages = () => {
    for (const h of pack.headlines) {
      newPage();
      heading(`${h.id} · ${h.title}`);
      subheading(say('benchmark'));
      const count = h.benchmark.summary.count;
      if (count) {
        chart(h.benchmarkSvg);
        const rank = h.benchmark.you?.percentileRank;
        block(
          say('benchmarkNote', {
            count: int.format(count),
            rank: rank === null || rank === undefined ? '—' : oneDecimal.format(rank),
          }),
          { size: 8.5 },
        );
      } else block(say('noBenchmark'));
      subheading(say('trend'));
      chart(h.trendSvg);
      block(say('trendNote'), { size: 8.5 });
    }
  };

  const segmentPages = () => {
    newPage();
    heading(say('segments'), 16);
    if (!pack.segments.length) {
      block(say('noSegments'));
      return;
    }
    const columns = [
      { x: 0, width: 210, head: say('segment') },
      { x: 215, width: 60, head: 'n' },
      { x: 280, width: 80, head: say('value') },
      { x: 365, width: 118, head: say('interval') },
    ];
    const row = (cells: string[], font: string) => {
      doc.font(font).fontSize(9.5);
      const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: columns[i]!.width })));
      if (doc.y + height > bottom()) newPage();
      const top = doc.y;
      cells.forEach((c, i) =>
        doc.fillColor('black').text(c, MARGIN + columns[i]!.x, top, { width: columns[i]!.width }),
      );
      doc.y = top + height + 3;
      doc
        .moveTo(MARGIN, doc.y - 1.5)
        .lineTo(MARGIN + CONTENT_WIDTH, doc.y - 1.5)
        .lineWidth(0.25)
        .strokeColor('#808080')
        .stroke();
    };
    let hidden = false;
    for (const s of pack.segments) {
      subheading(`${s.id} · ${s.title}`);
      row(
        columns.map((c) => c.head),
        BOLD,
      );
      for (const v of s.rows) {
        const shown = v.suppressed === null;
        hidden ||= !shown;
        row(
          [
            v.segment || say('noSegment'),
            shown ? int.format(v.n) : '—',
            shown ? fmt(s.kind, v.value) : '—',
            shown && v.low !== null && v.high !== null ? `${fmt(s.kind, v.low)}–${fmt(s.kind, v.high)}` : '—',
          ],
          REGULAR,
        );
      }
    }
    if (hidden) {
      doc.moveDown(0.5);
      block(say('suppressedNote'), { size: 8.5 });
    }
  };

  const methodPage = () => {
    newPage();
    heading(say('method'), 16);
    const values = pack.headlines.map((h) => h.value);
    const responses = Math.max(0, ...values.map((v) => v.responses ?? 0));
    const stock = pack.organisation.housingStock;

    subheading(say('sample'));
    block(sayApproach('responses', { n: int.format(responses) }));
    if (stock) {
      block(sayApproach('population', { n: int.format(stock) }));
      block(say('responseRate', { rate: pct.format(responses / stock) }));
    }

    subheading(say('margin'));
    if (stock && responses > 0) {
      block(sayApproach('achievedMargin', { margin: pct.format(marginOfErrorFor(responses, stock)) }));
      block(say('marginNote'), { size: 8.5 });
    } else block(sayApproach('stockUnknown'));

    subheading(sayApproach('modes'));
    // The indicator with the largest base speaks for how answers came in.
    const widest = [...values].sort((a, b) => b.n - a.n)[0];
    const modes = widest ? nonEmpty(widest.nByMode) : [];
    const total = modes.reduce((sum, [, n]) => sum + n, 0);
    if (!modes.length) block('—');
    for (const [mode, n] of modes)
      block(
        sayApproach('modeLine', {
          mode: sayApproach(`mode.${mode}`),
          n: int.format(n),
          share: pct.format(n / total),
        }),
      );

    subheading(say('suppression'));
    const minNs = pack.headlines.map((h) => `${h.id}: ${int.format(h.minN)}`).join('; ') || '—';
    block(say('suppressionRule', { list: minNs }));

    subheading(sayApproach('weighting'));
    const weighted = values.map((v) => v.weighted as Weighted | null);
    const applied = weighted.find((w) => w?.status === 'weighted');
    const refused = weighted.find((w) => w?.status === 'not-weighted');
    if (applied?.status === 'weighted') {
      block(sayApproach('weightingApplied'));
      if (applied.variables.length)
        block(sayApproach('weightingVariables', { list: applied.variables.join(', ') }));
      if (applied.trim?.min !== undefined && applied.trim.max !== undefined)
        block(
          sayApproach('weightingCaps', {
            min: oneDecimal.format(applied.trim.min),
            max: oneDecimal.format(applied.trim.max),
          }),
        );
      if (applied.designEffect !== undefined)
        block(
          sayApproach('designEffect', {
            deff: oneDecimal.format(applied.designEffect),
            neff: oneDecimal.format(applied.effectiveN),
          }),
        );
      if (weighted.some((w) => w?.status === 'weighted' && !w.converged)) block(sayApproach('notConverged'));
    } else if (refused?.status === 'not-weighted')
      block(sayApproach('weightingFailed', { reason: refused.reason }));
    else block(sayApproach('weightingNone'));

    subheading(say('statistics'));
    block(say('intervalRule'));
    doc.moveDown(0.3);
    block(say('quantileRule'));
  };

  return render(doc, () => {
    cover();
    headlinePage();
    chartPages();
    segmentPages();
    methodPage();
  });
}

function nonEmpty(counts: ModeCounts): Array<[(typeof MODES)[number], number]> {
  return MODES.filter((m) => counts[m]).map((m) => [m, counts[m]!]);
}

/** Gathers and prints a pack in one go. */
export async function councilPack(
  caller: AuthContext,
  q: { org: string; period: string; lang?: string },
): Promise<{ pdf: Buffer; slug: string; period: string }> {
  const pack = await gatherCouncilPack(caller, q);
  return { pdf: await councilPackPdf(pack), slug: pack.organisation.slug, period: pack.period };
}
