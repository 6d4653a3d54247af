import { APPROACH_LANGUAGES, PHRASES, approachPdf, phrase } from '../../src/modules/weighting/approach-pdf';
import {
  missingItems,
  sampleTarget,
  summariseWeighting,
  sumModes,
  timingOf,
  type ApproachView,
} from '../../src/modules/weighting/approach.service';
import type { WeightedFigure } from '../../src/modules/weighting/weighted-publication';
import { parsePdf } from '../support/pdf';

const weighted = (designEffect: number, effectiveN: number, converged = true): WeightedFigure => ({
  status: 'weighted',
  value: 0.7,
  low: 0.6,
  high: 0.8,
  n: 100,
  effectiveN,
  method: 'raking',
  variables: ['tenure', 'age_band'],
  trim: { min: 0.3, max: 3 },
  converged,
  iterations: 5,
  trimmed: 0,
  designEffect,
  unknown: 0,
  respondents: 120,
  computedAt: '2026-03-01T10:00:00.000Z',
});

/** A summary with nothing known and nothing stated. */
function emptyView(): ApproachView {
  return {
    organisation: { id: 'a'.repeat(24), slug: 'hove', name: 'Hove Homes', housingStock: null },
    period: '2026',
    achieved: { responses: 0, byMode: {}, target: null },
    timing: { from: null, to: null, ongoing: false, campaigns: [] },
    modes: [],
    sampling: {
      method: null,
      description: null,
      population: null,
      campaigns: { open: 0, invite: 0 },
      invitations: { issued: 0, used: 0 },
      segments: [],
      languages: [],
      doubleEntry: false,
    },
    representativeness: {
      checked: false,
      reason: 'no margins',
      characteristics: [],
      respondents: 0,
      alpha: 0.05,
      variables: [],
    },
    weighting: summariseWeighting([], null),
    contractor: { status: 'not-stated', name: null },
    exclusions: null,
    missedSampleReason: null,
    incentives: null,
    otherIssues: null,
    notes: null,
    overrides: { achieved: null, timing: null, modes: null, representativeness: null, weighting: null },
    missing: [],
    warnings: [],
    statedAt: null,
    generatedAt: '2026-06-02T10:00:00.000Z',
  };
}

describe('sampleTarget', () => {
  it('follows the TSM bands with the finite population correction', () => {
    expect(sampleTarget(1000, 250)).toMatchObject({
      population: 1000,
      marginOfError: 0.05,
      responsesNeeded: 278,
      met: false,
      shortBy: 28,
    });
    const met = sampleTarget(7271, 600)!;
    expect(met).toMatchObject({ marginOfError: 0.04, responsesNeeded: 555, met: true, shortBy: 0 });
    expect(met.achievedMargin).toBeLessThan(0.04);
    expect(sampleTarget(1000, 0)!.achievedMargin).toBeNull();
  });

  it('has no target without a housing stock, or with fewer homes than responses', () => {
    expect(sampleTarget(null, 5)).toBeNull();
    expect(sampleTarget(10, 11)).toBeNull();
  });
});

describe('timingOf and sumModes', () => {
  const now = new Date('2026-04-01T00:00:00Z');

  it('spans the earliest opening to the latest closing', () => {
    expect(
      timingOf(
        [
          { opensAt: new Date('2026-03-10T00:00:00Z'), closesAt: new Date('2026-03-31T00:00:00Z') },
          { opensAt: new Date('2026-03-01T00:00:00Z'), closesAt: new Date('2026-03-20T00:00:00Z') },
        ],
        now,
      ),
    ).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', ongoing: false });
  });

  it('has no end while a campaign has no closing date', () => {
    expect(
      timingOf(
        [
          { opensAt: new Date('2026-03-01T00:00:00Z'), closesAt: new Date('2026-03-20T00:00:00Z') },
          { opensAt: new Date('2026-03-15T00:00:00Z'), closesAt: null },
        ],
        now,
      ),
    ).toEqual({ from: '2026-03-01T00:00:00.000Z', to: null, ongoing: true });
    expect(timingOf([], now)).toEqual({ from: null, to: null, ongoing: false });
  });

  it('adds mode counts across campaigns', () => {
    expect(sumModes([{ online: 4, telephone: 3 }, { online: 2 }, {}])).toEqual({ online: 6, telephone: 3 });
  });
});

describe('summariseWeighting', () => {
  it('reports the ranges of design effects and effective sizes over weighted values', () => {
    const summary = summariseWeighting([weighted(1.2, 80), weighted(1.25, 60, false), null], {
      tenure: { rented: 1 },
    });
    expect(summary).toMatchObject({
      status: 'weighted',
      applied: true,
      marginsStored: true,
      variables: ['tenure', 'age_band'],
      trim: { min: 0.3, max: 3 },
      converged: false,
      designEffect: { min: 1.2, max: 1.25 },
      effectiveN: { min: 60, max: 80 },
      indicators: 3,
      weightedIndicators: 2,
      method: 'raking',
      reason: null,
    });
  });

  it('tells refused, pending and absent weighting apart', () => {
    const refused = summariseWeighting(
      [
        {
          status: 'not-weighted',
          reason: 'no responses to weight',
          variables: ['tenure'],
          respondents: 0,
          computedAt: '2026-03-01T10:00:00.000Z',
        },
      ],
      { tenure: { rented: 1 } },
    );
    expect(refused).toMatchObject({
      status: 'not-weighted',
      applied: false,
      reason: 'no responses to weight',
    });
    expect(summariseWeighting([null], { area: { north: 1 } })).toMatchObject({
      status: 'pending',
      variables: ['area'],
    });
    expect(summariseWeighting([], null)).toMatchObject({
      status: 'none',
      marginsStored: false,
      variables: [],
    });
  });
});

describe('missingItems', () => {
  it('lists every item nothing is known or stated of', () => {
    expect(missingItems(emptyView())).toEqual([
      'achieved',
      'timing',
      'modes',
      'sampling',
      'representativeness',
      'contractor',
      'exclusions',
      'incentives',
      'otherIssues',
    ]);
  });

  it('asks for a reason only when the target was missed, and for words with method "other"', () => {
    const view = emptyView();
    view.achieved = { responses: 20, byMode: { online: 20 }, target: sampleTarget(1000, 20) };
    view.sampling.method = 'other';
    view.overrides.timing = 'Fieldwork ran through the spring.';
    view.overrides.representativeness = 'Compared with the tenancy register by hand.';
    view.contractor = { status: 'in-house', name: null };
    expect(missingItems(view)).toEqual([
      'sampling',
      'exclusions',
      'missedSampleReason',
      'incentives',
      'otherIssues',
    ]);
    view.sampling.description = 'Every third door on each estate.';
    view.achieved.target = sampleTarget(20, 20);
    expect(missingItems(view)).toEqual(['exclusions', 'incentives', 'otherIssues']);
  });
});

describe('the phrase table', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('gives every phrase in every language with the same placeholders', () => {
    for (const lang of APPROACH_LANGUAGES)
      for (const [key, text] of Object.entries(PHRASES.en)) {
        const translated = PHRASES[lang][key as keyof typeof PHRASES.en];
        expect({ lang, key, filled: translated.trim().length > 0 }).toEqual({ lang, key, filled: true });
        expect({ lang, key, placeholders: placeholders(translated) }).toEqual({
          lang,
          key,
          placeholders: placeholders(text),
        });
      }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(phrase('en', 'responses', { n: 12 })).toBe('Responses: 12');
    expect(phrase('pl', 'responses')).toBe('Liczba odpowiedzi: {n}');
  });
});

describe('approachPdf', () => {
  it('prints Ukrainian and Russian headings and "not stated" for empty items', async () => {
    for (const [lang, title, notStated] of [
      ['uk', 'Підсумок методології опитування', 'не зазначено'],
      ['ru', 'Краткое описание методики опроса', 'не указано'],
    ] as const) {
      const parsed = await parsePdf(await approachPdf(emptyView(), lang));
      const text = parsed.pages.join(' ');
      expect(text).toContain(title);
      expect(text).toContain(PHRASES[lang].otherIssues);
      expect(text).toContain(notStated);
      expect(parsed.title).toBe(`${title} – Hove Homes – 2026`);
    }
  });

  it('flows long statements onto further pages and prints replaced wording', async () => {
    const view = emptyView();
    view.exclusions = 'Households in temporary accommodation. '.repeat(50).trim();
    view.otherIssues = 'A storm closed the estate office for a week. '.repeat(44).trim();
    view.overrides.timing = 'Two waves: March and September.';
    const parsed = await parsePdf(await approachPdf(view, 'en'));
    expect(parsed.total).toBeGreaterThan(1);
    const text = parsed.pages.join(' ');
    expect(text).toContain('Two waves: March and September.');
    expect(text).toContain('A storm closed the estate office');
  });
});
