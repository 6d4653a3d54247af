import { api, ApiError } from '../../api';
import { h, type Child } from '../../dom';
import { dateTime, number, t } from '../../i18n';
import {
  figureTitle,
  publishedValue,
  refusal,
  returnPath,
  splitKey,
  stateBadge,
  type DataReturn,
  type Figure,
  type Query,
  type ReportedIndicator,
} from './model';

/** Who is looking at a return, and so what they may do with it (the API decides in the end). */
export interface Viewer {
  /** A coordinator of the group: queries, closes, signs off, reopens. */
  coordinates: boolean;
  /** An admin of the member organisation that owns the return: enters figures, submits, answers. */
  memberAdmin: boolean;
}

/** How the view reports back: after a change, the page reloads with a message to show. */
export interface ReturnActions {
  group: string;
  org: string;
  period: string;
  defs: Map<string, ReportedIndicator>;
  viewer: Viewer;
  /** Reads everything again and shows `message` (an error when `error`). */
  reload: (message: string, error?: boolean) => Promise<void>;
}

const cssId = (key: string) => key.replace(/[^A-Za-z0-9_-]/g, '-');

/** Runs a change; a refusal is reported with the API's message, and a conflict reloads the return. */
async function change(ctx: ReturnActions, run: () => Promise<unknown>, done: string): Promise<void> {
  try {
    await run();
    await ctx.reload(done);
  } catch (err) {
    // The return moved on meanwhile (a stale revision, another state): show it as it is now.
    if (err instanceof ApiError && err.status === 409) await ctx.reload(refusal(err), true);
    else showRefusal(err);
  }
}

/** Shows a message in the return's status line and moves the reader there. */
function showMessage(...content: Child[]): void {
  const status = document.getElementById('return-status');
  if (!status) return;
  status.className = 'error';
  status.replaceChildren();
  for (const c of content) status.append(typeof c === 'string' ? c : (c as Node));
  status.focus();
}

function showRefusal(err: unknown): void {
  // Each problem with its path, when the API named them.
  const details = err instanceof ApiError ? err.details : [];
  showMessage(
    refusal(err),
    details.length
      ? h(
          'ul',
          {},
          details.map((d) => h('li', {}, `${d.path}: ${d.message}`)),
        )
      : '',
  );
}

function findingsCell(f: Figure): Child {
  if (!f.findings.length) return '–';
  return h(
    'ul',
    { class: 'findings' },
    f.findings.map((x) =>
      h(
        'li',
        { class: `finding ${x.severity}${x.explained ? ' explained' : ''}` },
        h(
          'span',
          { class: 'severity' },
          x.severity === 'warning'
            ? x.explained
              ? t('coordination.return.warningExplained')
              : t('coordination.return.warning')
            : t('coordination.return.error'),
        ),
        ' ',
        x.message,
      ),
    ),
  );
}

function figuresTable(
  r: DataReturn,
  ctx: ReturnActions,
  onQuery: ((key: string) => void) | null,
): HTMLElement {
  const caption = t('coordination.return.figuresOf', { organisation: r.organisation.name, period: r.period });
  const columns = ['figure', 'numerator', 'denominator', 'value', 'published', 'comment', 'checks'];
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': caption },
    h(
      'table',
      { id: 'figures', class: 'figures' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, t(`coordination.return.columns.${c}`))),
          onQuery ? h('th', { scope: 'col' }, t('coordination.return.columns.query')) : null,
        ),
      ),
      h(
        'tbody',
        {},
        r.figures.map((f) => {
          const def = ctx.defs.get(f.indicator);
          return h(
            'tr',
            { 'data-figure': f.figure },
            h(
              'th',
              { scope: 'row' },
              h('span', { class: 'code' }, f.figure),
              ' ',
              figureTitle(f.figure, ctx.defs),
            ),
            h('td', { class: 'num' }, f.notAvailable ? '–' : number(f.numerator, 0)),
            h('td', { class: 'num' }, f.notAvailable ? '–' : number(f.denominator, 0)),
            h('td', { class: 'num' }, f.notAvailable ? '–' : number(f.value, 2)),
            h(
              'td',
              { class: 'num', 'data-value': f.computed ?? '' },
              f.notAvailable
                ? t('coordination.return.notAvailable')
                : publishedValue(def?.kind, f.computed, def?.unit),
            ),
            h('td', {}, f.notAvailable ? f.notAvailable : f.comment || '–'),
            h('td', {}, findingsCell(f)),
            onQuery
              ? h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      'aria-label': t('coordination.return.queryFigure', { figure: f.figure }),
                      onclick: () => onQuery(f.figure),
                    },
                    t('coordination.return.query'),
                  ),
                )
              : null,
          );
        }),
      ),
    ),
  );
}

function textArea(id: string, label: string, attrs: Record<string, string | number | boolean> = {}) {
  const area = h('textarea', { id, name: id, rows: 3, required: true, maxlength: 2000, ...attrs });
  return { area, field: h('div', { class: 'field' }, h('label', { for: id }, label), area) };
}

function queryThread(q: Query, r: DataReturn, ctx: ReturnActions): HTMLElement {
  const open = q.status !== 'closed' && (r.state === 'submitted' || r.state === 'queried');
  const canWrite = open && (ctx.viewer.coordinates || ctx.viewer.memberAdmin);
  const id = `query-${q.id}`;
  const reply = textArea(
    `${id}-reply`,
    ctx.viewer.coordinates ? t('coordination.queries.followUp') : t('coordination.queries.answer'),
  );
  return h(
    'article',
    { class: 'query card', 'aria-labelledby': `${id}-title`, 'data-query': q.id, 'data-status': q.status },
    h(
      'h4',
      { id: `${id}-title` },
      h('span', { class: 'code' }, q.figure),
      ' ',
      figureTitle(q.figure, ctx.defs),
      ' ',
      h('span', { class: `query-status status-${q.status}` }, t(`coordination.queries.status.${q.status}`)),
    ),
    h(
      'ol',
      { class: 'messages' },
      q.messages.map((m) =>
        h(
          'li',
          { class: `message side-${m.side}` },
          h(
            'p',
            { class: 'meta' },
            h('strong', {}, t(`coordination.queries.side.${m.side}`)),
            ' · ',
            h('time', { datetime: m.at }, dateTime(m.at)),
          ),
          h('p', { class: 'text' }, m.text),
        ),
      ),
    ),
    canWrite
      ? h(
          'form',
          {
            class: 'reply',
            onsubmit: (event: Event) => {
              event.preventDefault();
              const text = reply.area.value.trim();
              if (!text) return;
              void change(
                ctx,
                () =>
                  api('POST', `${returnPath(ctx.group, ctx.org, ctx.period)}/queries/${q.id}/messages`, {
                    message: text,
                  }),
                ctx.viewer.coordinates ? t('coordination.done.followedUp') : t('coordination.done.answered'),
              );
            },
          },
          reply.field,
          h(
            'div',
            { class: 'toolbar' },
            h(
              'button',
              { type: 'submit' },
              ctx.viewer.coordinates
                ? t('coordination.queries.sendFollowUp')
                : t('coordination.queries.sendAnswer'),
            ),
            ctx.viewer.coordinates
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    'data-action': 'close-query',
                    onclick: () =>
                      void change(
                        ctx,
                        () =>
                          api('POST', `${returnPath(ctx.group, ctx.org, ctx.period)}/queries/${q.id}/close`),
                        t('coordination.done.closed'),
                      ),
                  },
                  t('coordination.queries.close'),
                )
              : null,
          ),
        )
      : null,
  );
}

/** The coordinator's form to raise a query about one figure. */
function raiseQueryForm(r: DataReturn, ctx: ReturnActions) {
  const select = h(
    'select',
    { id: 'query-figure', name: 'figure', required: true },
    r.figures.map((f) => h('option', { value: f.figure }, `${f.figure} ${figureTitle(f.figure, ctx.defs)}`)),
  );
  const message = textArea('query-message', t('coordination.queries.message'));
  const form = h(
    'form',
    {
      id: 'raise-query',
      class: 'card',
      'aria-labelledby': 'raise-query-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const text = message.area.value.trim();
        if (!text) return;
        void change(
          ctx,
          () =>
            api('POST', `${returnPath(ctx.group, ctx.org, ctx.period)}/queries`, {
              figure: select.value,
              message: text,
            }),
          t('coordination.done.queried', { figure: select.value }),
        );
      },
    },
    h('h3', { id: 'raise-query-title' }, t('coordination.queries.raise')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'query-figure' }, t('coordination.queries.figure')),
      select,
    ),
    message.field,
    h('button', { type: 'submit' }, t('coordination.queries.send')),
  );
  const pick = (key: string) => {
    select.value = key;
    message.area.focus();
  };
  return { form, pick };
}

/** Sign-off and reopening, for the group's coordinators. */
function coordinatorActions(r: DataReturn, ctx: ReturnActions): HTMLElement | null {
  const canSign = r.state === 'submitted' || r.state === 'queried';
  const canReopen = r.state !== 'draft';
  if (!canSign && !canReopen) return null;
  const reason = textArea('reopen-reason', t('coordination.return.reopenReason'), { minlength: 3 });
  return h(
    'section',
    { class: 'decisions card', 'aria-labelledby': 'decisions-title' },
    h('h3', { id: 'decisions-title' }, t('coordination.return.decisions')),
    canSign
      ? h(
          'div',
          {},
          h('p', { class: 'hint' }, t('coordination.return.signOffHint')),
          h(
            'button',
            {
              type: 'button',
              id: 'sign-off',
              onclick: () =>
                void change(
                  ctx,
                  () => api('POST', `${returnPath(ctx.group, ctx.org, ctx.period)}/sign-off`),
                  t('coordination.done.signedOff'),
                ),
            },
            t('coordination.return.signOff'),
          ),
        )
      : null,
    canReopen
      ? h(
          'form',
          {
            id: 'reopen',
            onsubmit: (event: Event) => {
              event.preventDefault();
              const text = reason.area.value.trim();
              void change(
                ctx,
                () => api('POST', `${returnPath(ctx.group, ctx.org, ctx.period)}/reopen`, { reason: text }),
                t('coordination.done.reopened'),
              );
            },
          },
          reason.field,
          h('button', { type: 'submit', class: 'secondary' }, t('coordination.return.reopen')),
        )
      : null,
  );
}

/** A number typed in either notation (12.5 or 12,5); empty is "not given". */
function parseNumber(text: string): number | null | typeof NaN {
  const s = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!s) return null;
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
}

/** The member admin's figures, each a small group of fields: phone-sized, keyboard-friendly. */
function figuresEditor(r: DataReturn, ctx: ReturnActions): HTMLElement {
  const keys = [...new Set([...r.figures.map((f) => f.figure), ...r.missing])].sort();
  const byKey = new Map(r.figures.map((f) => [f.figure, f]));
  const rows = keys.map((key) => {
    const { indicator, part, tenure, def } = splitKey(key, ctx.defs);
    const f = byKey.get(key);
    const base = `edit-${cssId(key)}`;
    const input = (
      name: string,
      label: string,
      value: number | string | null | undefined,
      numeric = true,
    ) => {
      const el = h('input', {
        id: `${base}-${name}`,
        name,
        type: 'text',
        inputmode: numeric ? 'decimal' : false,
        autocomplete: 'off',
        value: value === null || value === undefined ? '' : String(value),
      });
      return { el, field: h('div', { class: 'field' }, h('label', { for: el.id }, label), el) };
    };
    const isValue = def?.kind === 'value';
    const numerator = isValue
      ? null
      : input('numerator', t('coordination.return.columns.numerator'), f?.numerator);
    const denominator = isValue
      ? null
      : input('denominator', t('coordination.return.columns.denominator'), f?.denominator);
    const value = isValue ? input('value', t('coordination.return.columns.value'), f?.value) : null;
    const comment = input('comment', t('coordination.return.columns.comment'), f?.comment, false);
    const na = input('notAvailable', t('coordination.return.notAvailableReason'), f?.notAvailable, false);
    const read = () => {
      const out: Record<string, unknown> = { indicator };
      if (part) out.part = part;
      if (tenure) out.tenure = tenure;
      const reason = na.el.value.trim();
      if (reason) out.notAvailable = reason;
      for (const [name, field] of [
        ['numerator', numerator],
        ['denominator', denominator],
        ['value', value],
      ] as const) {
        if (!field) continue;
        const n = parseNumber(field.el.value);
        if (Number.isNaN(n))
          return { error: `${key}: ${t('coordination.return.notANumber')}`, field: field.el };
        if (n !== null) out[name] = n;
      }
      if (comment.el.value.trim()) out.comment = comment.el.value.trim();
      const given = Object.keys(out).some((k) => !['indicator', 'part', 'tenure'].includes(k));
      return given ? { figure: out } : null;
    };
    const fieldset = h(
      'fieldset',
      { class: 'figure-edit', 'data-figure': key },
      h('legend', {}, h('span', { class: 'code' }, key), ' ', figureTitle(key, ctx.defs)),
      h(
        'div',
        { class: 'fields' },
        numerator?.field,
        denominator?.field,
        value?.field,
        comment.field,
        na.field,
      ),
    );
    return { fieldset, read };
  });
  const submit = h(
    'button',
    {
      type: 'button',
      id: 'submit-return',
      onclick: () =>
        void change(
          ctx,
          () => api('POST', `${returnPath(ctx.group, ctx.org, ctx.period)}/submit`, { revision: r.revision }),
          t('coordination.done.submitted'),
        ),
    },
    t('coordination.return.submit'),
  );
  return h(
    'form',
    {
      id: 'edit-figures',
      class: 'figures-editor',
      'aria-labelledby': 'edit-figures-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const figures: unknown[] = [];
        for (const row of rows) {
          const got = row.read();
          if (!got) continue;
          if ('error' in got) {
            showMessage(got.error ?? '');
            got.field?.focus();
            return;
          }
          figures.push(got.figure);
        }
        if (!figures.length) return;
        void change(
          ctx,
          () => api('PUT', returnPath(ctx.group, ctx.org, ctx.period), { figures, revision: r.revision }),
          t('coordination.done.saved'),
        );
      },
    },
    h('h3', { id: 'edit-figures-title' }, t('coordination.return.edit')),
    h('p', { class: 'hint' }, t('coordination.return.editHint')),
    rows.map((row) => row.fieldset),
    h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'submit', id: 'save-figures' }, t('coordination.return.save')),
      submit,
    ),
  );
}

/** One return: its state, figures with their checks, query threads and what the viewer may do. */
export function returnSection(r: DataReturn, ctx: ReturnActions): HTMLElement {
  const { viewer } = ctx;
  const queryable =
    viewer.coordinates && (r.state === 'submitted' || r.state === 'queried') && r.figures.length;
  const raise = queryable ? raiseQueryForm(r, ctx) : null;
  const editable = viewer.memberAdmin && (r.state === 'draft' || r.state === 'queried');
  const open = r.queries.filter((q) => q.status !== 'closed').length;
  const warnings = r.figures.flatMap((f) => f.findings.filter((x) => x.severity === 'warning')).length;
  const facts: Array<[string, Child]> = [
    [t('coordination.return.state'), stateBadge(r.stored ? r.state : 'none')],
    [t('coordination.return.submittedAt'), dateTime(r.submittedAt)],
    [t('coordination.return.signedOffAt'), dateTime(r.signedOffAt)],
    [t('coordination.return.openQueries'), number(open)],
    [t('coordination.return.warnings'), number(warnings)],
  ];
  return h(
    'section',
    { class: 'return', id: 'return', 'aria-labelledby': 'return-title', 'data-state': r.state },
    h(
      'h2',
      { id: 'return-title', tabindex: '-1' },
      t('coordination.return.title', { organisation: r.organisation.name, period: r.period }),
    ),
    h(
      'dl',
      { class: 'return-facts' },
      facts.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
    ),
    r.late ? h('p', { class: 'hint' }, t('coordination.return.late')) : null,
    h('p', { id: 'return-status', role: 'status', tabindex: '-1' }),
    r.figures.length
      ? figuresTable(r, ctx, raise ? raise.pick : null)
      : h('p', {}, t('coordination.return.noFigures')),
    r.missing.length
      ? h(
          'div',
          { class: 'missing' },
          h('h3', {}, t('coordination.return.missing')),
          h(
            'ul',
            {},
            r.missing.map((key) =>
              h('li', {}, h('span', { class: 'code' }, key), ' ', figureTitle(key, ctx.defs)),
            ),
          ),
        )
      : null,
    h(
      'section',
      { class: 'queries', 'aria-labelledby': 'queries-title' },
      h('h3', { id: 'queries-title' }, t('coordination.queries.title')),
      r.queries.length
        ? r.queries.map((q) => queryThread(q, r, ctx))
        : h('p', {}, t('coordination.queries.none')),
    ),
    raise?.form ?? null,
    editable ? figuresEditor(r, ctx) : null,
    viewer.coordinates ? coordinatorActions(r, ctx) : null,
  );
}
