/**
 * The summary of approach as a printable A4 document: one heading per item the regulator lists,
 * black on white, in the landlord's language. Every phrase is in the one table below.
 */
import { BOLD, REGULAR, createDocument, render } from '../../pdf/document';
import { SAMPLING_METHODS, type Overridable } from './approach.model';
import { APPROACH_ITEMS, type ApproachItem, type ApproachView } from './approach.service';
import type { Mode } from '../responses/modes';

/** Languages the document can be printed in. */
export const APPROACH_LANGUAGES = ['en', 'pl', 'uk', 'ru', 'ka'] as const;

/** One of {@link APPROACH_LANGUAGES}. */
export type ApproachLanguage = (typeof APPROACH_LANGUAGES)[number];

type SamplingKey = `method.${(typeof SAMPLING_METHODS)[number]}`;
type PhraseKey =
  | ApproachItem
  | SamplingKey
  | `mode.${Mode}`
  | 'title'
  | 'subtitle'
  | 'period'
  | 'generated'
  | 'notStated'
  | 'draft'
  | 'notes'
  | 'responses'
  | 'target'
  | 'achievedMargin'
  | 'met'
  | 'notMet'
  | 'stockUnknown'
  | 'fromTo'
  | 'noEnd'
  | 'ongoing'
  | 'campaignLine'
  | 'modeLine'
  | 'methodLine'
  | 'population'
  | 'openCampaigns'
  | 'inviteCampaigns'
  | 'segments'
  | 'languages'
  | 'doubleEntry'
  | 'notChecked'
  | 'characteristics'
  | 'consistent'
  | 'differs'
  | 'untested'
  | 'categoryLine'
  | 'unknownLine'
  | 'weightingApplied'
  | 'weightingVariables'
  | 'weightingCaps'
  | 'designEffect'
  | 'notConverged'
  | 'weightingNone'
  | 'weightingPending'
  | 'weightingFailed'
  | 'inHouse'
  | 'reasonNotNeeded';

/**
 * Every phrase of the document in every language; `{name}` marks a value filled in. Counts are
 * written as "label: n" so no language needs plural forms.
 */
export const PHRASES: Record<ApproachLanguage, Record<PhraseKey, string>> = {
  en: {
    title: 'Summary of approach',
    subtitle: 'Tenant perception survey – Tenant Satisfaction Measures',
    period: 'Period',
    generated: 'Generated {date}',
    notStated: 'not stated',
    draft: 'Not yet stated: {items}',
    notes: 'Notes',
    achieved: 'Achieved sample size',
    timing: 'Timing of the survey',
    modes: 'Collection methods',
    sampling: 'Sampling method',
    representativeness: 'Assessment of representativeness',
    weighting: 'Weighting',
    contractor: 'External contractor',
    exclusions: 'Exclusions from the sample',
    missedSampleReason: 'Reason for not meeting the required sample size',
    incentives: 'Incentives (type and amount)',
    otherIssues: 'Other issues likely to have materially affected the results',
    responses: 'Responses: {n}',
    target:
      'Responses required for a margin of error of ±{margin} at 95% confidence (homes: {population}): {needed}',
    achievedMargin: 'Margin of error achieved: ±{margin}',
    met: 'The required sample size was met',
    notMet: 'The required sample size was not met (responses short: {short})',
    stockUnknown: 'Required sample size not assessed: the number of homes is not recorded',
    fromTo: '{from} to {to}',
    noEnd: 'no closing date',
    ongoing: 'The survey is still open',
    campaignLine: '{title}: {from} – {to}; responses: {n}',
    modeLine: '{mode}: {n} ({share})',
    'mode.online': 'online (link, QR code or letter code)',
    'mode.paper': 'paper questionnaire',
    'mode.telephone': 'telephone interview',
    'mode.face-to-face': 'face-to-face interview',
    methodLine: 'Method: {method}',
    'method.census': 'census (all tenants invited)',
    'method.random': 'random sample',
    'method.stratified': 'stratified random sample',
    'method.quota': 'quota sample',
    'method.other': 'other',
    population: 'Homes (population): {n}',
    openCampaigns: 'Campaigns with an open link or QR code: {n}',
    inviteCampaigns: 'Campaigns with letters and personal codes: {n}; codes issued: {issued}, used: {used}',
    segments: 'Segments: {list}',
    languages: 'Questionnaire languages: {list}',
    doubleEntry: 'Paper questionnaires were entered twice and compared',
    notChecked: 'Not checked: no population figures are stored for the period',
    characteristics: 'Characteristics considered: {list}',
    consistent: 'consistent with the population',
    differs: 'differs from the population',
    untested: 'not tested',
    categoryLine: '{category}: respondents {rs}, population {ps}',
    unknownLine: 'unknown or outside the categories: {n}',
    weightingApplied:
      'Weighted to the population figures by raking (iterative proportional fitting); intervals use the effective sample size.',
    weightingVariables: 'Variables: {list}',
    weightingCaps: 'Weights capped between {min} and {max} × the mean weight',
    designEffect: 'Design effect: {deff}; effective sample size: {neff}',
    notConverged: 'Raking did not converge for every measure',
    weightingNone: 'No weighting was applied',
    weightingPending: 'Population figures are stored; the published values are not weighted yet',
    weightingFailed: 'No weighting was applied; reason: {reason}',
    inHouse: 'None: the survey was carried out in house',
    reasonNotNeeded: 'Not applicable: the required sample size was met',
  },
  pl: {
    title: 'Podsumowanie metodologii badania',
    subtitle: 'Badanie opinii najemców – wskaźniki satysfakcji najemców (TSM)',
    period: 'Okres',
    generated: 'Wygenerowano {date}',
    notStated: 'nie podano',
    draft: 'Jeszcze nie podano: {items}',
    notes: 'Uwagi',
    achieved: 'Osiągnięta liczebność próby',
    timing: 'Termin przeprowadzenia badania',
    modes: 'Metody zbierania odpowiedzi',
    sampling: 'Metoda doboru próby',
    representativeness: 'Ocena reprezentatywności',
    weighting: 'Ważenie',
    contractor: 'Wykonawca zewnętrzny',
    exclusions: 'Wyłączenia z próby i ich powody',
    missedSampleReason: 'Powód nieosiągnięcia wymaganej liczebności próby',
    incentives: 'Zachęty (rodzaj i wartość)',
    otherIssues: 'Inne czynniki, które mogły istotnie wpłynąć na wyniki',
    responses: 'Liczba odpowiedzi: {n}',
    target:
      'Wymagana liczba odpowiedzi dla błędu ±{margin} przy ufności 95% (liczba mieszkań: {population}): {needed}',
    achievedMargin: 'Osiągnięty błąd oszacowania: ±{margin}',
    met: 'Wymagana liczebność próby została osiągnięta',
    notMet: 'Wymagana liczebność próby nie została osiągnięta (brakuje odpowiedzi: {short})',
    stockUnknown: 'Nie oceniono wymaganej liczebności próby: brak danych o liczbie mieszkań',
    fromTo: 'od {from} do {to}',
    noEnd: 'bez daty zakończenia',
    ongoing: 'Badanie nadal trwa',
    campaignLine: '{title}: {from} – {to}; odpowiedzi: {n}',
    modeLine: '{mode}: {n} ({share})',
    'mode.online': 'internetowo (link, kod QR lub kod z listu)',
    'mode.paper': 'ankieta papierowa',
    'mode.telephone': 'wywiad telefoniczny',
    'mode.face-to-face': 'wywiad bezpośredni',
    methodLine: 'Metoda: {method}',
    'method.census': 'badanie pełne (zaproszeni wszyscy najemcy)',
    'method.random': 'próba losowa',
    'method.stratified': 'losowa próba warstwowa',
    'method.quota': 'próba kwotowa',
    'method.other': 'inna',
    population: 'Liczba mieszkań (populacja): {n}',
    openCampaigns: 'Kampanie z otwartym linkiem lub kodem QR: {n}',
    inviteCampaigns:
      'Kampanie z listami i kodami osobistymi: {n}; wydane kody: {issued}, wykorzystane: {used}',
    segments: 'Segmenty: {list}',
    languages: 'Języki kwestionariusza: {list}',
    doubleEntry: 'Ankiety papierowe wprowadzano dwukrotnie i porównywano',
    notChecked: 'Nie sprawdzono: brak danych o strukturze populacji za ten okres',
    characteristics: 'Uwzględnione cechy: {list}',
    consistent: 'struktura próby zgodna ze strukturą populacji',
    differs: 'struktura próby różni się od struktury populacji',
    untested: 'nie testowano',
    categoryLine: '{category}: respondenci {rs}, populacja {ps}',
    unknownLine: 'nieznana lub spoza kategorii: {n}',
    weightingApplied:
      'Zastosowano ważenie do struktury populacji metodą rakingu (iteracyjne dopasowanie proporcjonalne); przedziały ufności liczone z efektywnej liczebności próby.',
    weightingVariables: 'Zmienne: {list}',
    weightingCaps: 'Wagi ograniczone do przedziału od {min} do {max} × średnia waga',
    designEffect: 'Efekt schematu doboru: {deff}; efektywna liczebność próby: {neff}',
    notConverged: 'Procedura ważenia nie była zbieżna dla wszystkich wskaźników',
    weightingNone: 'Nie zastosowano ważenia',
    weightingPending: 'Zapisano strukturę populacji; opublikowane wartości nie są jeszcze ważone',
    weightingFailed: 'Nie zastosowano ważenia; powód: {reason}',
    inHouse: 'Brak: badanie przeprowadzono we własnym zakresie',
    reasonNotNeeded: 'Nie dotyczy: wymagana liczebność próby została osiągnięta',
  },
  uk: {
    title: 'Підсумок методології опитування',
    subtitle: 'Опитування думки орендарів – показники задоволеності орендарів (TSM)',
    period: 'Період',
    generated: 'Створено {date}',
    notStated: 'не зазначено',
    draft: 'Ще не зазначено: {items}',
    notes: 'Примітки',
    achieved: 'Досягнутий розмір вибірки',
    timing: 'Терміни проведення опитування',
    modes: 'Методи збору відповідей',
    sampling: 'Метод формування вибірки',
    representativeness: 'Оцінка репрезентативності',
    weighting: 'Зважування',
    contractor: 'Зовнішній підрядник',
    exclusions: 'Винятки з вибірки та їх причини',
    missedSampleReason: 'Причина недосягнення необхідного розміру вибірки',
    incentives: 'Заохочення (вид і розмір)',
    otherIssues: 'Інші чинники, що могли суттєво вплинути на результати',
    responses: 'Кількість відповідей: {n}',
    target:
      'Необхідна кількість відповідей для похибки ±{margin} з довірчою ймовірністю 95% (кількість помешкань: {population}): {needed}',
    achievedMargin: 'Досягнута похибка: ±{margin}',
    met: 'Необхідний розмір вибірки досягнуто',
    notMet: 'Необхідний розмір вибірки не досягнуто (бракує відповідей: {short})',
    stockUnknown: 'Необхідний розмір вибірки не оцінено: кількість помешкань невідома',
    fromTo: 'з {from} до {to}',
    noEnd: 'без дати завершення',
    ongoing: 'Опитування триває',
    campaignLine: '{title}: {from} – {to}; відповідей: {n}',
    modeLine: '{mode}: {n} ({share})',
    'mode.online': 'онлайн (посилання, QR-код або код із листа)',
    'mode.paper': 'паперова анкета',
    'mode.telephone': 'телефонне інтерв’ю',
    'mode.face-to-face': 'особисте інтерв’ю',
    methodLine: 'Метод: {method}',
    'method.census': 'суцільне опитування (запрошено всіх орендарів)',
    'method.random': 'випадкова вибірка',
    'method.stratified': 'стратифікована випадкова вибірка',
    'method.quota': 'квотна вибірка',
    'method.other': 'інший',
    population: 'Кількість помешкань (генеральна сукупність): {n}',
    openCampaigns: 'Кампанії з відкритим посиланням або QR-кодом: {n}',
    inviteCampaigns:
      'Кампанії з листами й персональними кодами: {n}; видано кодів: {issued}, використано: {used}',
    segments: 'Сегменти: {list}',
    languages: 'Мови анкети: {list}',
    doubleEntry: 'Паперові анкети вводилися двічі й порівнювалися',
    notChecked: 'Не перевірено: структуру сукупності за цей період не збережено',
    characteristics: 'Враховані характеристики: {list}',
    consistent: 'відповідає структурі сукупності',
    differs: 'відрізняється від структури сукупності',
    untested: 'не перевірялося',
    categoryLine: '{category}: респонденти {rs}, сукупність {ps}',
    unknownLine: 'невідомо або поза категоріями: {n}',
    weightingApplied:
      'Застосовано зважування до структури сукупності методом рейкінгу (ітеративне пропорційне припасування); довірчі інтервали враховують ефективний розмір вибірки.',
    weightingVariables: 'Змінні: {list}',
    weightingCaps: 'Ваги обмежено діапазоном від {min} до {max} × середня вага',
    designEffect: 'Ефект дизайну: {deff}; ефективний розмір вибірки: {neff}',
    notConverged: 'Зважування зійшлося не для всіх показників',
    weightingNone: 'Зважування не застосовувалося',
    weightingPending: 'Структуру сукупності збережено; опубліковані значення ще не зважено',
    weightingFailed: 'Зважування не застосовано; причина: {reason}',
    inHouse: 'Немає: опитування проведено власними силами',
    reasonNotNeeded: 'Не застосовується: необхідний розмір вибірки досягнуто',
  },
  ru: {
    title: 'Краткое описание методики опроса',
    subtitle: 'Опрос мнения арендаторов – показатели удовлетворённости арендаторов (TSM)',
    period: 'Период',
    generated: 'Создано {date}',
    notStated: 'не указано',
    draft: 'Ещё не указано: {items}',
    notes: 'Примечания',
    achieved: 'Достигнутый размер выборки',
    timing: 'Сроки проведения опроса',
    modes: 'Методы сбора ответов',
    sampling: 'Метод формирования выборки',
    representativeness: 'Оценка репрезентативности',
    weighting: 'Взвешивание',
    contractor: 'Внешний подрядчик',
    exclusions: 'Исключения из выборки и их причины',
    missedSampleReason: 'Причина недостижения требуемого размера выборки',
    incentives: 'Поощрения (вид и размер)',
    otherIssues: 'Другие факторы, которые могли существенно повлиять на результаты',
    responses: 'Число ответов: {n}',
    target:
      'Требуемое число ответов для погрешности ±{margin} при доверительной вероятности 95% (число жилых помещений: {population}): {needed}',
    achievedMargin: 'Достигнутая погрешность: ±{margin}',
    met: 'Требуемый размер выборки достигнут',
    notMet: 'Требуемый размер выборки не достигнут (не хватает ответов: {short})',
    stockUnknown: 'Требуемый размер выборки не оценён: число жилых помещений неизвестно',
    fromTo: 'с {from} по {to}',
    noEnd: 'без даты окончания',
    ongoing: 'Опрос продолжается',
    campaignLine: '{title}: {from} – {to}; ответов: {n}',
    modeLine: '{mode}: {n} ({share})',
    'mode.online': 'онлайн (ссылка, QR-код или код из письма)',
    'mode.paper': 'бумажная анкета',
    'mode.telephone': 'телефонное интервью',
    'mode.face-to-face': 'личное интервью',
    methodLine: 'Метод: {method}',
    'method.census': 'сплошной опрос (приглашены все арендаторы)',
    'method.random': 'случайная выборка',
    'method.stratified': 'стратифицированная случайная выборка',
    'method.quota': 'квотная выборка',
    'method.other': 'другой',
    population: 'Число жилых помещений (генеральная совокупность): {n}',
    openCampaigns: 'Кампании с открытой ссылкой или QR-кодом: {n}',
    inviteCampaigns:
      'Кампании с письмами и персональными кодами: {n}; выдано кодов: {issued}, использовано: {used}',
    segments: 'Сегменты: {list}',
    languages: 'Языки анкеты: {list}',
    doubleEntry: 'Бумажные анкеты вводились дважды и сверялись',
    notChecked: 'Не проверено: структура совокупности за этот период не сохранена',
    characteristics: 'Учтённые характеристики: {list}',
    consistent: 'соответствует структуре совокупности',
    differs: 'отличается от структуры совокупности',
    untested: 'не проверялось',
    categoryLine: '{category}: респонденты {rs}, совокупность {ps}',
    unknownLine: 'неизвестно или вне категорий: {n}',
    weightingApplied:
      'Применено взвешивание к структуре совокупности методом рейкинга (итеративная пропорциональная подгонка); доверительные интервалы учитывают эффективный размер выборки.',
    weightingVariables: 'Переменные: {list}',
    weightingCaps: 'Веса ограничены диапазоном от {min} до {max} × средний вес',
    designEffect: 'Эффект дизайна: {deff}; эффективный размер выборки: {neff}',
    notConverged: 'Взвешивание сошлось не для всех показателей',
    weightingNone: 'Взвешивание не применялось',
    weightingPending: 'Структура совокупности сохранена; опубликованные значения ещё не взвешены',
    weightingFailed: 'Взвешивание не применено; причина: {reason}',
    inHouse: 'Нет: опрос проведён собственными силами',
    reasonNotNeeded: 'Неприменимо: требуемый размер выборки достигнут',
  },
  ka: {
    title: 'კვლევის მეთოდოლოგიის შეჯამება',
    subtitle: 'მოიჯარეთა აზრის კვლევა – მოიჯარეთა კმაყოფილების საზომები (TSM)',
    period: 'პერიოდი',
    generated: 'შექმნილია: {date}',
    notStated: 'არ არის მითითებული',
    draft: 'ჯერ არ არის მითითებული: {items}',
    notes: 'შენიშვნები',
    achieved: 'მიღწეული შერჩევის ზომა',
    timing: 'კვლევის ჩატარების ვადები',
    modes: 'პასუხების შეგროვების მეთოდები',
    sampling: 'შერჩევის მეთოდი',
    representativeness: 'რეპრეზენტატულობის შეფასება',
    weighting: 'შეწონვა',
    contractor: 'გარე კონტრაქტორი',
    exclusions: 'შერჩევიდან გამორიცხვები და მათი მიზეზები',
    missedSampleReason: 'საჭირო შერჩევის ზომის მიუღწევლობის მიზეზი',
    incentives: 'წახალისება (სახე და ოდენობა)',
    otherIssues: 'სხვა ფაქტორები, რომლებსაც შეეძლოთ არსებითად ემოქმედათ შედეგებზე',
    responses: 'პასუხების რაოდენობა: {n}',
    target:
      'საჭირო პასუხების რაოდენობა ±{margin} ცდომილებისთვის 95%-იანი ნდობის ალბათობით (საცხოვრებლების რაოდენობა: {population}): {needed}',
    achievedMargin: 'მიღწეული ცდომილება: ±{margin}',
    met: 'საჭირო შერჩევის ზომა მიღწეულია',
    notMet: 'საჭირო შერჩევის ზომა არ არის მიღწეული (აკლია პასუხები: {short})',
    stockUnknown: 'საჭირო შერჩევის ზომა არ შეფასდა: საცხოვრებლების რაოდენობა უცნობია',
    fromTo: '{from} – {to}',
    noEnd: 'დასრულების თარიღის გარეშე',
    ongoing: 'კვლევა ჯერ კიდევ მიმდინარეობს',
    campaignLine: '{title}: {from} – {to}; პასუხები: {n}',
    modeLine: '{mode}: {n} ({share})',
    'mode.online': 'ონლაინ (ბმული, QR კოდი ან წერილის კოდი)',
    'mode.paper': 'ქაღალდის კითხვარი',
    'mode.telephone': 'სატელეფონო ინტერვიუ',
    'mode.face-to-face': 'პირისპირ ინტერვიუ',
    methodLine: 'მეთოდი: {method}',
    'method.census': 'სრული გამოკითხვა (მოწვეულია ყველა მოიჯარე)',
    'method.random': 'შემთხვევითი შერჩევა',
    'method.stratified': 'სტრატიფიცირებული შემთხვევითი შერჩევა',
    'method.quota': 'კვოტური შერჩევა',
    'method.other': 'სხვა',
    population: 'საცხოვრებლების რაოდენობა (გენერალური ერთობლიობა): {n}',
    openCampaigns: 'კამპანიები ღია ბმულით ან QR კოდით: {n}',
    inviteCampaigns:
      'კამპანიები წერილებით და პერსონალური კოდებით: {n}; გაცემული კოდები: {issued}, გამოყენებული: {used}',
    segments: 'სეგმენტები: {list}',
    languages: 'კითხვარის ენები: {list}',
    doubleEntry: 'ქაღალდის კითხვარები ორჯერ შეიყვანეს და შეადარეს',
    notChecked: 'არ შემოწმებულა: ამ პერიოდისთვის ერთობლიობის სტრუქტურა შენახული არ არის',
    characteristics: 'გათვალისწინებული მახასიათებლები: {list}',
    consistent: 'შეესაბამება ერთობლიობის სტრუქტურას',
    differs: 'განსხვავდება ერთობლიობის სტრუქტურისგან',
    untested: 'არ შემოწმებულა',
    categoryLine: '{category}: რესპონდენტები {rs}, ერთობლიობა {ps}',
    unknownLine: 'უცნობი ან კატეგორიების გარეთ: {n}',
    weightingApplied:
      'გამოყენებულია შეწონვა ერთობლიობის სტრუქტურაზე რეიკინგის მეთოდით (იტერაციული პროპორციული მორგება); ნდობის ინტერვალები ითვალისწინებს შერჩევის ეფექტურ ზომას.',
    weightingVariables: 'ცვლადები: {list}',
    weightingCaps: 'წონები შეზღუდულია {min}-დან {max}-მდე × საშუალო წონა',
    designEffect: 'დიზაინის ეფექტი: {deff}; შერჩევის ეფექტური ზომა: {neff}',
    notConverged: 'შეწონვის იტერაციები ყველა მაჩვენებლისთვის არ იყო კრებადი',
    weightingNone: 'შეწონვა არ გამოყენებულა',
    weightingPending: 'ერთობლიობის სტრუქტურა შენახულია; გამოქვეყნებული მნიშვნელობები ჯერ არ არის შეწონილი',
    weightingFailed: 'შეწონვა არ გამოყენებულა; მიზეზი: {reason}',
    inHouse: 'არ არის: კვლევა ჩატარდა საკუთარი ძალებით',
    reasonNotNeeded: 'არ ეხება: საჭირო შერჩევის ზომა მიღწეულია',
  },
};

/** A phrase with its `{name}` placeholders filled. */
export function phrase(
  lang: ApproachLanguage,
  key: PhraseKey,
  values: Record<string, string | number> = {},
): string {
  return PHRASES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** Number and date formatting in the document's language. */
function formatters(lang: ApproachLanguage) {
  // The measures are a UK standard: English dates are written the British way.
  const locale = lang === 'en' ? 'en-GB' : lang;
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimal = (digits: number) =>
    new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const two = decimal(2);
  const three = decimal(3);
  const upToTwo = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  return {
    int: (n: number) => integer.format(n),
    num: (n: number) => two.format(n),
    short: (n: number) => upToTwo.format(n),
    pct: (share: number) => pct.format(share),
    /** "p = 0.270", or "p < 0.001" for the smallest values. */
    p: (p: number) => (p < 0.001 ? `p < ${three.format(0.001)}` : `p = ${three.format(p)}`),
    date: (iso: string) => date.format(new Date(iso)),
    range: (r: { min: number; max: number }, f: (n: number) => string) =>
      r.min === r.max ? f(r.min) : `${f(r.min)}–${f(r.max)}`,
  };
}

const MARGIN = 56;

/**
 * The summary of approach as an A4 PDF in `lang`: a heading for each of the regulator's items,
 * the service's figures under it (or the landlord's own wording where they replaced them), and
 * "not stated" where nothing is known. Items still empty are listed under the title.
 */
export function approachPdf(view: ApproachView, lang: ApproachLanguage): Promise<Buffer> {
  const say = (key: PhraseKey, values?: Record<string, string | number>) => phrase(lang, key, values);
  const f = formatters(lang);
  const title = say('title');
  const doc = createDocument(
    `${title} – ${view.organisation.name} – ${view.period}`,
    view.organisation.name,
    lang,
  );

  const newPage = () => doc.addPage({ size: 'A4', margin: MARGIN });
  const width = () => doc.page.width - 2 * MARGIN;
  // Every block is placed whole: pdfkit's own page breaks would open pages without margins.
  const block = (
    text: string,
    opts: { font?: string; size?: number; indent?: number; gap?: number } = {},
  ) => {
    const indent = opts.indent ?? 0;
    doc.font(opts.font ?? REGULAR).fontSize(opts.size ?? 10.5);
    const w = width() - indent;
    const height = doc.heightOfString(text, { width: w });
    if (doc.y + height + (opts.gap ?? 0) > doc.page.height - MARGIN) newPage();
    doc.fillColor('black').text(text, MARGIN + indent, doc.y, { width: w });
  };
  const heading = (text: string) => {
    doc.moveDown(0.8);
    // Keep a heading with at least two lines of what follows it.
    block(text, { font: BOLD, size: 12.5, gap: 30 });
    const y = doc.y + 2;
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + width(), y)
      .lineWidth(0.5)
      .strokeColor('black')
      .stroke();
    doc.y = y + 4;
  };
  const line = (text: string, indent = 0) => block(text, { indent });
  const stated = (text: string | null) => line(text ?? say('notStated'));
  const overridden = (item: Overridable, draw: () => void) => {
    const own = view.overrides[item];
    if (own !== null) line(own);
    else draw();
  };

  return render(doc, () => {
    newPage();
    block(title, { font: BOLD, size: 20 });
    doc.moveDown(0.2);
    block(say('subtitle'), { size: 11 });
    doc.moveDown(0.4);
    block(view.organisation.name, { font: BOLD, size: 12 });
    block(`${say('period')}: ${view.period}`, { size: 11 });
    if (view.missing.length) {
      doc.moveDown(0.4);
      block(say('draft', { items: view.missing.map((item) => say(item)).join('; ') }), { size: 9.5 });
    }

    for (const item of APPROACH_ITEMS) {
      heading(say(item));
      switch (item) {
        case 'achieved':
          overridden('achieved', () => {
            const { responses, target } = view.achieved;
            line(say('responses', { n: f.int(responses) }));
            if (!target) {
              if (view.organisation.housingStock === null) line(say('stockUnknown'));
              return;
            }
            line(
              say('target', {
                margin: f.pct(target.marginOfError),
                population: f.int(target.population),
                needed: f.int(target.responsesNeeded),
              }),
            );
            if (target.achievedMargin !== null)
              line(say('achievedMargin', { margin: f.pct(target.achievedMargin) }));
            line(target.met ? say('met') : say('notMet', { short: f.int(target.shortBy) }));
          });
          break;
        case 'timing':
          overridden('timing', () => {
            const { from, to, ongoing, campaigns } = view.timing;
            if (!from) return stated(null);
            line(say('fromTo', { from: f.date(from), to: to ? f.date(to) : say('noEnd') }));
            if (ongoing) line(say('ongoing'));
            if (campaigns.length > 1)
              for (const c of campaigns)
                line(
                  say('campaignLine', {
                    title: c.segment ? `${c.title} (${c.segment})` : c.title,
                    from: f.date(c.opensAt),
                    to: c.closesAt ? f.date(c.closesAt) : say('noEnd'),
                    n: f.int(c.responses),
                  }),
                  12,
                );
          });
          break;
        case 'modes':
          overridden('modes', () => {
            if (!view.modes.length) return stated(null);
            for (const m of view.modes)
              line(
                say('modeLine', {
                  mode: say(`mode.${m.mode}`),
                  n: f.int(m.responses),
                  share: f.pct(m.share),
                }),
              );
          });
          break;
        case 'sampling': {
          const s = view.sampling;
          line(say('methodLine', { method: s.method ? say(`method.${s.method}`) : say('notStated') }));
          if (s.description) line(s.description);
          if (s.population !== null) line(say('population', { n: f.int(s.population) }));
          if (s.campaigns.open) line(say('openCampaigns', { n: f.int(s.campaigns.open) }));
          if (s.campaigns.invite)
            line(
              say('inviteCampaigns', {
                n: f.int(s.campaigns.invite),
                issued: f.int(s.invitations.issued),
                used: f.int(s.invitations.used),
              }),
            );
          if (s.segments.length) line(say('segments', { list: s.segments.join(', ') }));
          if (s.languages.length) line(say('languages', { list: s.languages.join(', ') }));
          if (s.doubleEntry) line(say('doubleEntry'));
          break;
        }
        case 'representativeness':
          overridden('representativeness', () => {
            const r = view.representativeness;
            if (!r.checked) return line(say('notChecked'));
            line(say('characteristics', { list: r.characteristics.join(', ') }));
            for (const v of r.variables) {
              const test =
                v.pValue === null || v.chiSquare === null || v.df === null
                  ? ''
                  : ` (χ² = ${f.num(v.chiSquare)}, df = ${v.df}, ${f.p(v.pValue)}; n = ${f.int(v.n)})`;
              line(`${v.variable}: ${say(v.assessment)}${test}`, 12);
              for (const c of v.categories)
                line(
                  say('categoryLine', {
                    category: c.category,
                    rs: c.respondentShare === null ? '–' : f.pct(c.respondentShare),
                    ps: f.pct(c.populationShare),
                  }),
                  24,
                );
              if (v.unknown + v.outsideMargins > 0)
                line(say('unknownLine', { n: f.int(v.unknown + v.outsideMargins) }), 24);
            }
          });
          break;
        case 'weighting':
          overridden('weighting', () => {
            const w = view.weighting;
            if (w.status === 'none') return line(say('weightingNone'));
            if (w.status === 'pending') return line(say('weightingPending'));
            if (w.status === 'not-weighted') return line(say('weightingFailed', { reason: w.reason ?? '' }));
            line(say('weightingApplied'));
            line(say('weightingVariables', { list: w.variables.join(', ') }));
            if (w.trim) line(say('weightingCaps', { min: f.short(w.trim.min), max: f.short(w.trim.max) }));
            if (w.designEffect && w.effectiveN)
              line(
                say('designEffect', {
                  deff: f.range(w.designEffect, f.num),
                  neff: f.range(w.effectiveN, f.int),
                }),
              );
            if (w.converged === false) line(say('notConverged'));
          });
          break;
        case 'contractor':
          if (view.contractor.status === 'external') line(view.contractor.name!);
          else if (view.contractor.status === 'in-house') line(say('inHouse'));
          else stated(null);
          break;
        case 'missedSampleReason':
          if (view.missedSampleReason === null && view.achieved.target?.met) line(say('reasonNotNeeded'));
          else stated(view.missedSampleReason);
          break;
        case 'exclusions':
        case 'incentives':
        case 'otherIssues':
          stated(view[item]);
          break;
      }
    }
    if (view.notes) {
      heading(say('notes'));
      line(view.notes);
    }
    doc.moveDown(1.5);
    block(say('generated', { date: f.date(view.generatedAt) }), { size: 9 });
  });
}
