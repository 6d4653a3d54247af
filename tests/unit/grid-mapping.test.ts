import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Model, type Question } from 'survey-core';
import { StatsAccumulator, prepareMapping } from '../../src/modules/indicators/aggregation';
import { BUILT_IN_INDICATORS } from '../../src/modules/catalogue/catalogue';
import { describeQuestion } from '../../src/modules/surveys/definition-validator';
import { validateMapping, type MappingEntry } from '../../src/modules/surveys/indicator-mapping';
import type { Template } from '../../src/modules/surveys/templates';

const catalogue = new Map(BUILT_IN_INDICATORS.map((d) => [d.id, d]));
const template = JSON.parse(
  readFileSync(path.join(__dirname, '../../surveys/tsm-grid.json'), 'utf8'),
) as Template;

function questionsOf(definition: Record<string, unknown>) {
  const model = new Model(structuredClone(definition));
  return (model.getAllQuestions() as Question[]).map((q) => describeQuestion(q, ''));
}

describe('indicators from a Likert grid', () => {
  it('the grid template maps each row onto its own indicator', () => {
    expect(validateMapping(template.indicatorMapping, questionsOf(template.definition), catalogue)).toEqual(
      [],
    );
    expect(template.indicatorMapping.filter((e) => e.row !== undefined).length).toBeGreaterThanOrEqual(5);
  });

  it('counts each row of a response under the row’s indicator, excluded answers apart', () => {
    const mapping = prepareMapping(template.definition, template.indicatorMapping, catalogue);
    const acc = new StatsAccumulator();
    acc.add(
      {
        overall_satisfaction: 'fairly_satisfied',
        services: { repairs_overall: 'very_satisfied', repair_time: 'dont_know', home_safe: 'neither' },
        treatment: { fair_and_respectful: 'agree' },
      },
      mapping,
    );
    acc.add({ services: { repairs_overall: 'fairly_dissatisfied' } }, mapping);
    const byId = Object.fromEntries(acc.result().map((s) => [s.indicatorId, s]));
    expect(byId.TP02!.counts).toEqual({ very_satisfied: 1, fairly_dissatisfied: 1 });
    expect(byId.TP03!.counts).toEqual({});
    expect(byId.TP03!.excluded).toEqual({ dont_know: 1 });
    expect(byId.TP05!.counts).toEqual({ neither: 1 });
    expect(byId.TP08!.counts).toEqual({ agree: 1 });
    expect(byId.TP04).toBeUndefined();
  });

  it('a row’s method changes with its own wording, not with another row', () => {
    const method = (definition: Record<string, unknown>, indicator: string) =>
      prepareMapping(definition, template.indicatorMapping, catalogue).entries.find(
        (e) => e.indicator.id === indicator,
      )!.method;
    const changed = structuredClone(template.definition) as {
      pages: Array<{ elements: Array<{ name: string; rows?: Array<{ value: string; text: unknown }> }> }>;
    };
    const grid = changed.pages[1]!.elements.find((e) => e.name === 'services')!;
    grid.rows!.find((r) => r.value === 'home_safe')!.text = 'Reworded: your home is safe';
    expect(method(changed, 'TP02')).toBe(method(template.definition, 'TP02'));
    expect(method(changed, 'TP05')).not.toBe(method(template.definition, 'TP05'));
  });

  it.each<[string, MappingEntry, string, string]>([
    [
      'a grid without its row',
      { indicator: 'TP02', question: 'services' },
      '/indicatorMapping/0/row',
      'name the row',
    ],
    [
      'an unknown row',
      { indicator: 'TP02', question: 'services', row: 'lift' },
      '/indicatorMapping/0/row',
      'no row "lift"',
    ],
    [
      'a row on a plain question',
      { indicator: 'TP01', question: 'overall_satisfaction', row: 'x' },
      '/indicatorMapping/0/row',
      'has no rows',
    ],
    [
      'a column on a Likert grid',
      { indicator: 'TP02', question: 'services', row: 'repairs_overall', column: 'c' },
      '/indicatorMapping/0/column',
      'has no columns',
    ],
  ])('refuses %s with a path', (_label, entry, path, message) => {
    expect(validateMapping([entry], questionsOf(template.definition), catalogue)).toContainEqual({
      path,
      message: expect.stringContaining(message),
    });
  });
});
