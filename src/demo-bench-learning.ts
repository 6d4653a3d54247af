import { randomUUID } from 'node:crypto';
import type { AuthContext } from './http/context';
import { createCampaign } from './modules/campaigns/campaigns.service';
import { drainInbox } from './modules/indicators/aggregation.service';
import { acceptInvitation, createGroup, inviteMember, setNameConsent } from './modules/groups/groups.service';
import { createApiKey } from './modules/organisations/api-keys.service';
import { createPlan } from './modules/plans/plans.service';
import { createPractice } from './modules/practices/practices.service';
import { Organisation } from './modules/organisations/organisation.model';
import { createOrganisation } from './modules/organisations/organisations.service';
import { submitResponse, type SubmissionDeps } from './modules/responses/responses.service';
import { saveFigures, signOff, submitReturn } from './modules/returns/returns.service';
import { createSurvey, publishDraft } from './modules/surveys/surveys.service';

/**
 * The bench-learning demo: a group of five Polish cities coordinated by the Union of Polish
 * Cities, with survey answers and performance figures for two periods, and a Georgian network
 * of homeowner associations run by a resource centre. All figures are illustrative.
 */

const COORDINATOR = 'zmp';
const CITIES = [
  { slug: 'jaworzno', name: 'Jaworzno', region: 'śląskie', stock: 2400, satisfied: 0.72, vacant: 0.031 },
  {
    slug: 'boleslawiec',
    name: 'Bolesławiec',
    region: 'dolnośląskie',
    stock: 1500,
    satisfied: 0.58,
    vacant: 0.064,
  },
  { slug: 'oswiecim', name: 'Oświęcim', region: 'małopolskie', stock: 1700, satisfied: 0.66, vacant: 0.042 },
  { slug: 'kutno', name: 'Kutno', region: 'łódzkie', stock: 1900, satisfied: 0.61, vacant: 0.053 },
  {
    slug: 'szklarska-poreba',
    name: 'Szklarska Poręba',
    region: 'dolnośląskie',
    stock: 400,
    satisfied: 0.69,
    vacant: 0.025,
  },
] as const;
const PERIODS = ['2024', '2025'] as const;
const SATISFACTION = [
  'very_satisfied',
  'fairly_satisfied',
  'neither',
  'fairly_dissatisfied',
  'very_dissatisfied',
];

/** A small deterministic generator, so every demo start produces the same figures. */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One tenant's answers to the pulse survey, satisfied with probability `p`. */
function pulseAnswers(random: () => number, p: number): Record<string, unknown> {
  const happy = random() < p;
  const overall = happy ? SATISFACTION[random() < 0.4 ? 0 : 1]! : SATISFACTION[2 + Math.floor(random() * 3)]!;
  const recommend = happy ? 7 + Math.floor(random() * 4) : Math.floor(random() * 8);
  return { overall_satisfaction: overall, recommend };
}

const admin = (keyId: string, organisationId: string): AuthContext => ({
  keyId,
  organisationId,
  role: 'admin',
});

/** What the bench-learning demo prints once. */
export interface BenchLearningDemo {
  group: string;
  coordinatorKey: string | null;
  georgianGroup: string;
}

/**
 * Seeds the bench-learning demo once (it is found by the coordinating organisation's slug
 * afterwards). Survey answers go through the same submission path as tenants' answers.
 */
export async function ensureBenchLearningDemo(
  publicBaseUrl: string,
  deps: SubmissionDeps,
): Promise<BenchLearningDemo> {
  const result = { group: 'gwd-mieszkalnictwo', georgianGroup: 'hoa-network-ge' };
  if (await Organisation.exists({ slug: COORDINATOR })) return { ...result, coordinatorKey: null };

  const zmp = await createOrganisation(
    {
      slug: COORDINATOR,
      name: 'Związek Miast Polskich',
      country: 'PL',
      region: 'wielkopolskie',
      type: 'resource_centre',
      languages: ['pl', 'en'],
    },
    null,
  );
  const coordinatorKey = await createApiKey({
    organisationId: zmp.organisation.id,
    role: 'coordinator',
    label: 'demo coordinator',
  });
  const coordinator: AuthContext = {
    keyId: coordinatorKey.id,
    organisationId: zmp.organisation.id,
    role: 'coordinator',
  };
  await createGroup(coordinator, {
    slug: result.group,
    name: 'Grupa Wymiany Doświadczeń: gospodarka mieszkaniowa',
    description:
      'Bench-learning miast: wskaźniki zasobu komunalnego, badanie satysfakcji najemców, dobre praktyki i plany doskonalenia usług.',
    indicators: ['TP01', 'NPS', 'PL_VACANT', 'PL_ARREARS', 'PL_WAITING', 'PL_COST_M2'],
    calendar: PERIODS.map((period) => ({
      period,
      opens: `${Number(period) + 1}-01-01T00:00:00Z`,
      closes: `${Number(period) + 1}-12-31T00:00:00Z`,
      signOffBy: `${Number(period) + 2}-01-31T00:00:00Z`,
    })),
    languages: ['pl', 'en'],
  });

  const callers: Record<string, AuthContext> = {};
  for (const [i, city] of CITIES.entries()) {
    const created = await createOrganisation(
      {
        slug: city.slug,
        name: city.name,
        country: 'PL',
        region: city.region,
        type: 'city',
        housingStock: city.stock,
        languages: ['pl', 'en', 'uk'],
      },
      null,
    );
    const caller = admin(created.adminKey.id, created.organisation.id);
    callers[city.slug] = caller;
    await inviteMember(coordinator, result.group, city.slug);
    await acceptInvitation(caller, result.group);
    await setNameConsent(caller, result.group, true);

    const survey = await createSurvey(caller, { slug: 'pulse', template: 'pulse' });
    await publishDraft(caller, survey.id);
    const random = generator(1000 + i);
    for (const [p, period] of PERIODS.entries()) {
      const campaign = await createCampaign(
        caller,
        { surveyId: survey.id, period, segment: '' },
        publicBaseUrl,
      );
      const satisfied = city.satisfied + p * 0.03;
      for (let r = 0; r < 40; r++)
        await submitResponse(
          campaign.slug,
          { submissionId: randomUUID(), locale: 'pl', answers: pulseAnswers(random, satisfied) },
          deps,
        );

      const ref = { group: result.group, org: city.slug, period };
      const homes = city.stock;
      const vacant = Math.round(homes * (city.vacant - p * 0.004));
      const note = 'dane przykładowe (demo)';
      await saveFigures(caller, ref, [
        { indicator: 'PL_VACANT', numerator: vacant, denominator: homes, comment: note },
        {
          indicator: 'PL_ARREARS',
          numerator: Math.round(homes * (0.11 - 0.01 * i)),
          denominator: homes,
          comment: note,
        },
        {
          indicator: 'PL_WAITING',
          numerator: Math.round(homes * (0.04 + 0.01 * i)),
          denominator: homes,
          comment: note,
        },
        { indicator: 'PL_COST_M2', value: Math.round((6.5 + i * 0.6 + p * 0.3) * 100) / 100, comment: note },
      ]);
      await submitReturn(caller, ref);
      await signOff(coordinator, ref);
    }
  }

  // Plans take their baselines from published values: count the answers above first.
  await drainInbox();
  await seedLearning(callers, result.group);
  await seedGeorgianNetwork(publicBaseUrl, deps, result.georgianGroup);
  return { ...result, coordinatorKey: coordinatorKey.key };
}

/** Two good practices of the best performers, and Bolesławiec's plan that draws on one. */
async function seedLearning(callers: Record<string, AuthContext>, group: string): Promise<void> {
  const criteria = (relevance: string, evidence: string, transfer: string, cost: string) => ({
    relevance: { text: relevance, rating: 5 },
    evidenceBase: { text: evidence, rating: 4 },
    transferability: { text: transfer, rating: 4 },
    cost: { text: cost, rating: 3 },
  });
  const vacancies = await createPractice(callers.jaworzno!, {
    group,
    period: '2024',
    title: {
      pl: 'Remont pustostanu w 30 dni: własna ekipa i stała umowa ramowa',
      en: 'Vacant dwellings repaired within 30 days: an in-house team and a framework contract',
    },
    summary: {
      pl: 'Każdy zwolniony lokal dostaje termin remontu w dniu zdania kluczy; postęp widać w tygodniowym zestawieniu.',
      en: 'Every dwelling handed back gets a repair date the same day; progress is reviewed weekly.',
    },
    body: {
      pl: '## Co zrobiliśmy\n\n- stała umowa ramowa na drobne remonty,\n- tygodniowe zestawienie pustostanów,\n- najem od razu po odbiorze.\n\n*Dane przykładowe (demo).*',
      en: '## What we did\n\n- a framework contract for small works,\n- a weekly list of vacant dwellings,\n- letting straight after sign-off.\n\n*Illustrative (demo).*',
    },
    topics: ['pustostany', 'remonty'],
    indicators: ['PL_VACANT'],
    criteria: criteria(
      'Pustostany obniżają dochody i wydłużają kolejkę.',
      'Spadek pustostanów w dwóch kolejnych okresach.',
      'Wymaga tylko umowy ramowej i zestawienia.',
      'Koszt remontów bez zmian; szybciej odzyskany czynsz.',
    ),
    visibility: 'group',
  });
  await createPractice(callers['szklarska-poreba']!, {
    group,
    period: '2024',
    title: {
      pl: 'Ugody ratalne zamiast pozwów: windykacja zaległości czynszowych',
      en: 'Instalment agreements before lawsuits: recovering rent arrears',
    },
    summary: {
      pl: 'Najemca z zaległością powyżej dwóch miesięcy dostaje propozycję ugody i rozmowę z doradcą.',
      en: 'A tenant more than two months in arrears is offered an instalment plan and a meeting with an adviser.',
    },
    body: { pl: 'Opis praktyki: rozmowa, ugoda, monitoring spłat. *Dane przykładowe (demo).*' },
    topics: ['zaległości', 'windykacja'],
    indicators: ['PL_ARREARS'],
    criteria: criteria(
      'Zaległości to główny problem finansowy zasobu.',
      'Mniej spraw w sądzie, wyższa ściągalność.',
      'Łatwa do przeniesienia.',
      'Czas doradcy.',
    ),
    visibility: 'organisations',
  });
  await createPlan(callers.boleslawiec!, {
    title: 'Plan doskonalenia usług mieszkaniowych 2025–2026',
    cycle: '2025–2026',
    group,
    visibleToMembers: true,
    nextReviewAt: '2026-12-15T00:00:00Z',
    goals: [
      {
        indicator: 'PL_VACANT',
        baselinePeriod: '2024',
        target: { value: 0.04, period: '2026' },
        description: 'Mniej pustostanów: remont w 30 dni, jak w Jaworznie.',
      },
      {
        indicator: 'TP01',
        baselinePeriod: '2024',
        target: { value: 0.7, period: '2026' },
        description: 'Więcej zadowolonych najemców.',
      },
    ],
    actions: [
      {
        what: 'Umowa ramowa na remonty pustostanów',
        ownerRole: 'Zakład Gospodarki Mieszkaniowej',
        due: '2025-06-30T00:00:00Z',
        status: 'done',
        practices: [vacancies.id],
      },
      {
        what: 'Tygodniowe zestawienie pustostanów dla zarządu',
        ownerRole: 'Wydział Mieszkalnictwa',
        due: '2025-03-31T00:00:00Z',
        status: 'in_progress',
      },
    ],
  });
}

/** A resource centre in Tbilisi and three homeowner associations it supports. */
async function seedGeorgianNetwork(publicBaseUrl: string, deps: SubmissionDeps, slug: string): Promise<void> {
  const centre = await createOrganisation(
    {
      slug: 'hoa-rc-tbilisi',
      name: 'ბინათმესაკუთრეთა რესურსცენტრი, თბილისი',
      country: 'GE',
      region: 'თბილისი',
      type: 'resource_centre',
      languages: ['ka', 'en'],
    },
    null,
  );
  const key = await createApiKey({
    organisationId: centre.organisation.id,
    role: 'coordinator',
    label: 'demo',
  });
  const coordinator: AuthContext = {
    keyId: key.id,
    organisationId: centre.organisation.id,
    role: 'coordinator',
  };
  await createGroup(coordinator, {
    slug,
    name: 'ბინათმესაკუთრეთა ამხანაგობების ქსელი',
    description:
      'Resource-centre network of homeowner associations: satisfaction with management and upkeep.',
    indicators: ['TP01', 'TP10'],
    calendar: [
      {
        period: '2025',
        opens: '2026-01-01T00:00:00Z',
        closes: '2026-12-31T00:00:00Z',
        signOffBy: '2027-01-31T00:00:00Z',
      },
    ],
    languages: ['ka', 'en'],
  });
  const associations = [
    { slug: 'hoa-vake-12', name: 'ამხანაგობა „ვაკე 12“', stock: 96 },
    { slug: 'hoa-saburtalo-3', name: 'ამხანაგობა „საბურთალო 3“', stock: 140 },
    { slug: 'hoa-gldani-7', name: 'ამხანაგობა „გლდანი 7“', stock: 210 },
  ];
  for (const [i, hoa] of associations.entries()) {
    const created = await createOrganisation(
      {
        slug: hoa.slug,
        name: hoa.name,
        country: 'GE',
        region: 'თბილისი',
        type: 'homeowner_association',
        housingStock: hoa.stock,
        languages: ['ka', 'en', 'ru'],
      },
      null,
    );
    const caller = admin(created.adminKey.id, created.organisation.id);
    await inviteMember(coordinator, slug, hoa.slug);
    await acceptInvitation(caller, slug);
    const survey = await createSurvey(caller, { slug: 'hoa', template: 'hoa-resource-centre' });
    await publishDraft(caller, survey.id);
    const campaign = await createCampaign(
      caller,
      { surveyId: survey.id, period: '2025', segment: '' },
      publicBaseUrl,
    );
    const random = generator(2000 + i);
    for (let r = 0; r < 25; r++) {
      const happy = random() < 0.55 + i * 0.1;
      await submitResponse(
        campaign.slug,
        {
          submissionId: randomUUID(),
          locale: 'ka',
          answers: {
            overall_management: happy ? 'fairly_satisfied' : 'fairly_dissatisfied',
            common_property_upkeep: random() < 0.6 ? 'fairly_satisfied' : 'neither',
            energy_works: 'no',
            attended_training: 'no',
          },
        },
        deps,
      );
    }
  }
}
