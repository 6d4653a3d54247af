import { structuredPatch } from 'diff';
import { h } from '../../dom';
import { t } from '../../i18n';

/** What two states of a survey are compared by: its content, pretty-printed. */
export function comparable(content: {
  definition: unknown;
  indicatorMapping: unknown;
  languages: unknown;
}): string {
  return `${JSON.stringify(
    {
      definition: content.definition,
      indicatorMapping: content.indicatorMapping,
      languages: content.languages,
    },
    null,
    2,
  )}\n`;
}

/**
 * A unified diff of two texts, readable without colour: every added line starts with "+" and is
 * an `<ins>`, every removed one starts with "−" and is a `<del>`, and a sentence says how many.
 */
export function diffView(before: string, after: string, fromLabel: string, toLabel: string): HTMLElement {
  const patch = structuredPatch(fromLabel, toLabel, before, after, '', '', { context: 3 });
  let added = 0;
  let removed = 0;
  const lines: HTMLElement[] = [];
  for (const hunk of patch.hunks) {
    lines.push(
      h(
        'span',
        { class: 'diff-hunk' },
        `@@ −${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
      ),
    );
    for (const line of hunk.lines) {
      const sign = line[0];
      const body = line.slice(1);
      if (sign === '+') {
        added++;
        lines.push(h('ins', { class: 'diff-add' }, `+ ${body}`));
      } else if (sign === '-') {
        removed++;
        lines.push(h('del', { class: 'diff-del' }, `− ${body}`));
      } else if (sign === ' ') {
        lines.push(h('span', { class: 'diff-same' }, `  ${body}`));
      }
    }
  }
  const summary = h(
    'p',
    { id: 'diff-summary' },
    added || removed ? t('admin.diff.summary', { added, removed }) : t('admin.diff.same'),
  );
  if (!added && !removed) return h('div', { class: 'diff' }, summary);
  return h(
    'div',
    { class: 'diff' },
    summary,
    h('p', { class: 'hint' }, t('admin.diff.legend')),
    h(
      'div',
      {
        class: 'scroll diff-lines',
        role: 'region',
        tabindex: '0',
        'aria-label': t('admin.diff.region', { from: fromLabel, to: toLabel }),
      },
      h('pre', {}, h('code', {}, lines)),
    ),
  );
}
