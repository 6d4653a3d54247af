import type { IndicatorDefinition } from '../catalogue/catalogue';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { parseFigureKey } from '../catalogue/reported-indicators';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import { IndicatorValue } from '../indicators/indicator-value.model';
import { ReportedValue } from '../returns/data-return.model';
import { aroundPeriod, reportedChange, surveyChange, type Change } from './evidence';
import type { PracticeDoc } from './practice.model';

/** One value as the evidence shows it. */
export interface EvidencePoint {
  period: string;
  value: number | null;
  low?: number | null;
  high?: number | null;
  n?: number | null;
  suppressed?: string | null;
  numerator?: number | null;
  denominator?: number | null;
}

/** The evidence of one linked indicator. */
export interface EvidenceItem {
  indicator: string;
  source: 'survey' | 'reported';
  kind: string;
  direction: 'higher' | 'lower' | 'neutral';
  before: EvidencePoint | null;
  after: EvidencePoint | null;
  latest: EvidencePoint | null;
  change: Change | null;
  changeToLatest: Change | null;
}

interface SurveyRow {
  indicatorId: string;
  period: string;
  value: number | null;
  low: number | null;
  high: number | null;
  n: number;
  suppressed: string | null;
}

interface ReportedRow {
  indicatorId: string;
  period: string;
  value: number;
  numerator: number | null;
  denominator: number | null;
  signedOffAt: Date;
}

/** A survey indicator's good direction: shares and NPS count positive answers; a mean's scale runs best first. */
function surveyDirection(def: IndicatorDefinition): EvidenceItem['direction'] {
  if (def.kind !== 'mean') return 'higher';
  const [first, last] = [def.scale[0], def.scale.at(-1)];
  if (typeof first !== 'number' || typeof last !== 'number' || first === last) return 'neutral';
  return first > last ? 'higher' : 'lower';
}

/**
 * A survey value as the reader may see it: a suppressed value (a base under the threshold) is
 * shown to its own organisation only; others see that it exists, not what it is.
 */
function surveyPoint(row: SurveyRow | null, author: boolean): EvidencePoint | null {
  if (!row) return null;
  const suppressed = row.suppressed ?? null;
  const hidden = suppressed !== null && !author;
  return {
    period: row.period,
    value: hidden ? null : row.value,
    low: hidden ? null : row.low,
    high: hidden ? null : row.high,
    n: hidden ? null : row.n,
    suppressed,
  };
}

function reportedPoint(row: ReportedRow | null): EvidencePoint | null {
  if (!row) return null;
  return { period: row.period, value: row.value, numerator: row.numerator, denominator: row.denominator };
}

/**
 * The evidence of a practice: for each linked indicator, its organisation's values around the
 * practice's period, and the change. Only the practice's own organisation's values are read
 * (the whole organisation for survey values); reported figures come from the practice's group
 * when it has one, otherwise from any group, the latest sign-off winning where two groups
 * received the same figure for a period.
 */
export async function evidenceFor(doc: PracticeDoc, author: boolean): Promise<EvidenceItem[]> {
  if (!doc.indicators.length) return [];
  const [survey, reported] = await Promise.all([loadCatalogue(), loadReportedCatalogue()]);
  const surveyIds = doc.indicators.filter((k) => survey.has(k));
  const reportedKeys = doc.indicators.filter((k) => !survey.has(k) && parseFigureKey(k, reported));
  const [surveyRows, reportedRows] = await Promise.all([
    surveyIds.length
      ? IndicatorValue.find(
          { organisationId: doc.organisationId, indicatorId: { $in: surveyIds }, segment: '*' },
          { indicatorId: 1, period: 1, value: 1, low: 1, high: 1, n: 1, suppressed: 1 },
        ).lean<SurveyRow[]>()
      : [],
    reportedKeys.length
      ? ReportedValue.find({
          organisationId: doc.organisationId,
          indicatorId: { $in: reportedKeys },
          ...(doc.groupId ? { groupId: doc.groupId } : {}),
        }).lean<ReportedRow[]>()
      : [],
  ]);

  return doc.indicators.flatMap((key): EvidenceItem[] => {
    const def = survey.get(key);
    if (def) {
      const around = aroundPeriod(
        surveyRows.filter((r) => r.indicatorId === key),
        doc.period,
      );
      const before = surveyPoint(around.before, author);
      const after = surveyPoint(around.after, author);
      const latest = surveyPoint(around.latest, author);
      const compare = (a: EvidencePoint | null, b: EvidencePoint | null) =>
        a && b
          ? surveyChange(
              { value: a.value, low: a.low ?? null, high: a.high ?? null },
              { value: b.value, low: b.low ?? null, high: b.high ?? null },
            )
          : null;
      return [
        {
          indicator: key,
          source: 'survey',
          kind: def.kind,
          direction: surveyDirection(def),
          before,
          after,
          latest,
          change: compare(before, after),
          changeToLatest: compare(before, latest),
        },
      ];
    }
    const figure = parseFigureKey(key, reported);
    if (!figure) return [];
    const byPeriod = new Map<string, ReportedRow>();
    for (const r of reportedRows.filter((r) => r.indicatorId === key)) {
      const seen = byPeriod.get(r.period);
      if (!seen || seen.signedOffAt < r.signedOffAt) byPeriod.set(r.period, r);
    }
    const around = aroundPeriod([...byPeriod.values()], doc.period);
    const before = reportedPoint(around.before);
    const after = reportedPoint(around.after);
    const latest = reportedPoint(around.latest);
    return [
      {
        indicator: key,
        source: 'reported',
        kind: figure.def.kind,
        direction: figure.def.direction,
        before,
        after,
        latest,
        change: before && after ? reportedChange(before, after) : null,
        changeToLatest: before && latest ? reportedChange(before, latest) : null,
      },
    ];
  });
}
