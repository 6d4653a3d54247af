import type { CsvTable } from '../../http/route';
import { BOLD, REGULAR, createDocument, render } from '../../pdf/document';
import type { PlanView } from './plans.service';

/** A value as people read it: shares and rates as percentages, others with their unit. */
export function formatMeasure(kind: string, unit: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (kind === 'share' || kind === 'rate') return `${(v * 100).toFixed(1)}%`;
  if (kind === 'nps') return v.toFixed(0);
  if (kind === 'per1000') return `${v.toFixed(1)} per 1,000 homes`;
  const text = Number.isInteger(v) ? String(v) : v.toFixed(2);
  return unit && unit !== '%' ? `${text} ${unit}` : text;
}

const STATUS_TEXT: Record<string, string> = {
  achieved: 'achieved',
  on_track: 'on track',
  off_track: 'off track',
  not_yet_measured: 'not yet measured',
  withheld: 'withheld: the baseline value is not published',
};

/** The plan as one table: a row per goal, then a row per action. */
export function planCsv(plan: PlanView): CsvTable {
  const columns = [
    'row',
    'id',
    'indicator',
    'description',
    'baselinePeriod',
    'baseline',
    'baselineLow',
    'baselineHigh',
    'targetPeriod',
    'target',
    'latestPeriod',
    'latest',
    'status',
    'beyondNoise',
    'what',
    'ownerRole',
    'due',
    'actionStatus',
  ];
  const rows: unknown[][] = plan.goals.map((g) => [
    'goal',
    g.id,
    g.indicator,
    g.description,
    g.baseline.period,
    g.baseline.value,
    g.baseline.low,
    g.baseline.high,
    g.target.period,
    g.target.value,
    g.progress.latest?.period ?? null,
    g.progress.latest?.value ?? null,
    g.progress.status,
    g.progress.beyondNoise,
    null,
    null,
    null,
    null,
  ]);
  for (const a of plan.actions)
    rows.push([
      'action',
      a.id,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      a.what,
      a.ownerRole,
      a.due,
      a.status,
    ]);
  return { columns, rows };
}

/**
 * A printable plan for a council meeting: goals with baseline, target, latest value and status,
 * then actions and reviews. Text flows over as many A4 pages as it needs.
 */
export function planPdf(plan: PlanView, lang: string): Promise<Buffer> {
  const doc = createDocument(plan.title, plan.organisation.name, lang);
  return render(doc, () => {
    doc.addPage({ size: 'A4', margin: 56 });
    doc.font(BOLD).fontSize(18).text(plan.title);
    doc.moveDown(0.3);
    doc
      .font(REGULAR)
      .fontSize(11)
      .fillColor('#333333')
      .text(
        [plan.organisation.name, plan.cycle, plan.group ? `group: ${plan.group}` : '']
          .filter(Boolean)
          .join(' · '),
      );
    doc.fillColor('black').moveDown();
    doc.font(BOLD).fontSize(14).text('Goals');
    doc.moveDown(0.3);
    for (const g of plan.goals) {
      const name = g.title[lang] ?? g.title.default;
      const fmt = (v: number | null | undefined) => formatMeasure(g.kind, g.unit, v);
      doc.font(BOLD).fontSize(11).text(`${g.indicator} · ${name}`);
      if (g.description) doc.font(REGULAR).fontSize(10).text(g.description);
      const interval =
        g.baseline.low !== null && g.baseline.high !== null
          ? ` (95%: ${fmt(g.baseline.low)}–${fmt(g.baseline.high)})`
          : '';
      doc
        .font(REGULAR)
        .fontSize(10)
        .text(`Baseline ${g.baseline.period}: ${fmt(g.baseline.value)}${interval}`)
        .text(`Target ${g.target.period}: ${fmt(g.target.value)}`)
        .text(
          g.progress.latest
            ? `Latest ${g.progress.latest.period}: ${fmt(g.progress.latest.value)} — ${STATUS_TEXT[g.progress.status]}${
                g.progress.beyondNoise === true
                  ? ', change larger than sampling noise'
                  : g.progress.beyondNoise === false
                    ? ', change within sampling noise'
                    : ''
              }`
            : `Latest: ${STATUS_TEXT[g.progress.status]}`,
        );
      doc.moveDown(0.5);
    }
    doc.moveDown(0.5);
    doc.font(BOLD).fontSize(14).text('Actions');
    doc.moveDown(0.3);
    for (const a of plan.actions) {
      const due = a.due ? ` · due ${a.due.slice(0, 10)}` : '';
      doc
        .font(REGULAR)
        .fontSize(10)
        .text(`• ${a.what} — ${a.status.replace('_', ' ')}${a.ownerRole ? ` · ${a.ownerRole}` : ''}${due}`);
    }
    if (plan.reviews.length) {
      doc.moveDown();
      doc.font(BOLD).fontSize(14).text('Reviews');
      doc.moveDown(0.3);
      for (const r of plan.reviews)
        doc
          .font(REGULAR)
          .fontSize(10)
          .text(`${r.at.slice(0, 10)}: ${r.note}`);
    }
  });
}
