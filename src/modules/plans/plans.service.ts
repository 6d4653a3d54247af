import { Types } from 'mongoose';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { afterCursor, toPage, type PageRequest } from '../../http/pagination';
import { recordAudit } from '../audit/record';
import type { LocalText } from '../catalogue/catalogue';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { parseFigureKey, type Direction } from '../catalogue/reported-indicators';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import { Group, type GroupDoc } from '../groups/group.model';
import { accessTo, groupFor, insiderIds } from '../groups/groups.service';
import { IndicatorValue, type IndicatorValueDoc } from '../indicators/indicator-value.model';
import { published } from '../indicators/scores.service';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { ReportedValue, type ReportedValueDoc } from '../returns/data-return.model';
import type { EventSink } from '../webhooks/events';
import { Plan, type MeasurementDoc, type PlanDoc } from './plan.model';
import { goalProgress, periodMidpoint, type Progress } from './progress';
import { oneWriteAtATime } from '../../db/one-write';

/** What a goal's indicator is and how its values read. */
export interface IndicatorInfo {
  id: string;
  title: LocalText;
  kind: string;
  unit: string;
  direction: Direction;
  reported: boolean;
  /** A survey indicator's minimum n: values on fewer answers are not published. */
  minN?: number;
}

/** Resolves a survey indicator or a reported figure key; 422 at `path` when unknown. */
export async function indicatorInfo(id: string, path = '/indicator'): Promise<IndicatorInfo> {
  const survey = (await loadCatalogue()).get(id);
  if (survey)
    return {
      id,
      title: survey.title,
      kind: survey.kind,
      unit: survey.kind === 'share' ? '%' : survey.kind === 'nps' ? 'NPS' : '',
      direction: 'higher',
      reported: false,
      minN: survey.minN,
    };
  const figure = parseFigureKey(id, await loadReportedCatalogue());
  if (!figure)
    throw new ValidationError('unknown indicator', [
      { path, message: `${id} is neither a survey indicator nor a reported figure (ID, ID.part)` },
    ]);
  return {
    id,
    title: figure.def.title,
    kind: figure.def.kind,
    unit: figure.def.unit,
    direction: figure.def.direction,
    reported: true,
  };
}

/** An organisation's measured values of an indicator, and the periods whose value is withheld. */
export interface Measurements {
  values: MeasurementDoc[];
  /** Periods with a survey value below its minimum n or hidden to protect one (suppressed). */
  withheld: Array<{ period: string; n: number; minN: number }>;
}

/**
 * An organisation's measured values of an indicator, every period: published survey values
 * (with their intervals) or signed-off reported figures of the plan's group (no interval).
 * A suppressed survey value is never among them: a plan's goals and progress are seen by the
 * group's coordinators and members, to whom such a value is not published.
 */
export async function measurementsOf(
  organisationId: Types.ObjectId,
  groupId: Types.ObjectId | null,
  info: IndicatorInfo,
  segment = '*',
): Promise<Measurements> {
  if (info.reported) {
    if (!groupId) return { values: [], withheld: [] };
    const docs = await ReportedValue.find({ groupId, organisationId, indicatorId: info.id }).lean<
      ReportedValueDoc[]
    >();
    return {
      values: docs.map((d) => ({
        period: d.period,
        value: d.value,
        low: null,
        high: null,
        n: d.denominator ?? null,
      })),
      withheld: [],
    };
  }
  const docs = await IndicatorValue.find({ organisationId, indicatorId: info.id, segment }).lean<
    IndicatorValueDoc[]
  >();
  return {
    values: docs
      .filter(published)
      .map((d) => ({ period: d.period, value: d.value!, low: d.low ?? null, high: d.high ?? null, n: d.n })),
    withheld: docs
      .filter((d) => d.value !== null && d.value !== undefined && !published(d))
      .map((d) => ({ period: d.period, n: d.n, minN: d.minN })),
  };
}

interface PlanAccess {
  plan: PlanDoc;
  own: boolean;
  group: GroupDoc | null;
}

/** Whether the plan's organisation still belongs to the group (a member, or a coordinator). */
const ownerInGroup = (plan: PlanDoc, group: GroupDoc) =>
  insiderIds(group).includes(plan.organisationId.toHexString());

function visible(caller: AuthContext, plan: PlanDoc, group: GroupDoc | null): boolean {
  if (caller.role === 'platform') return true;
  if (plan.organisationId.toHexString() === caller.organisationId) return true;
  // An organisation that left the group (or was removed) takes its plans with it.
  if (!group || !ownerInGroup(plan, group)) return false;
  const a = accessTo(caller, group);
  return a.coordinatingOrganisation || ((plan.visibleToMembers || !!group.sharePlans) && a.member);
}

/**
 * A plan the caller may see: its organisation's, or, through the plan's group, its coordinators'
 * and its members' when the plan's owner or the group shares plans. Others get 404 as for a missing plan. Writing needs an admin
 * key of the plan's organisation.
 */
async function planFor(caller: AuthContext, id: string, need: 'read' | 'write'): Promise<PlanAccess> {
  const plan = await Plan.findById(id).lean<PlanDoc>();
  if (!plan) throw new NotFoundError('plan');
  const group = plan.groupId ? await Group.findById(plan.groupId).lean<GroupDoc>() : null;
  if (!visible(caller, plan, group)) throw new NotFoundError('plan');
  const own = plan.organisationId.toHexString() === caller.organisationId;
  if (need === 'write' && !(own && caller.role === 'admin'))
    throw new ForbiddenError('an admin key of the plan’s organisation changes it');
  return { plan, own, group };
}

/** A goal as the audit log keeps it. */
const goalLine = (g: PlanDoc['goals'][number]) => ({
  id: g._id.toHexString(),
  indicator: g.indicator,
  segment: g.segment,
  description: g.description,
  baseline: { period: g.baseline.period, value: g.baseline.value },
  target: g.target,
});

/** An action as the audit log keeps it. */
const actionLine = (a: PlanDoc['actions'][number]) => ({
  id: a._id.toHexString(),
  what: a.what,
  ownerRole: a.ownerRole,
  start: a.start ? new Date(a.start).toISOString() : null,
  due: a.due ? new Date(a.due).toISOString() : null,
  status: a.status,
  goals: a.goals.map((g) => g.toHexString()),
  practices: a.practices,
});

/** The plan's own fields as the audit log keeps them (goals, actions and reviews as counts). */
const planLine = (p: Omit<PlanDoc, 'createdAt' | 'updatedAt' | 'reviewNotifiedFor'>) => ({
  title: p.title,
  cycle: p.cycle,
  group: p.groupId ? p.groupId.toHexString() : null,
  visibleToMembers: p.visibleToMembers,
  nextReviewAt: p.nextReviewAt ? new Date(p.nextReviewAt).toISOString() : null,
  goals: p.goals.length,
  actions: p.actions.length,
  reviews: p.reviews.length,
  revision: p.revision,
});

/** Writes the plan organisation's audit line for a change, with the state before and after. */
async function auditPlan(
  caller: AuthContext,
  plan: Pick<PlanDoc, '_id' | 'organisationId'>,
  action: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await recordAudit(caller, {
    action: `plan.${action}`,
    resource: { type: 'plan', id: plan._id.toHexString() },
    organisationId: plan.organisationId.toHexString(),
    before,
    after,
  });
}

/** Attempts of a change made on whatever the plan is now, when others change it meanwhile. */
const MAX_ATTEMPTS = 5;

/**
 * Runs a change that names no revision (a goal, an action, a review added or changed) on the plan
 * read afresh, again when another change came between its read and its write.
 */
async function afresh<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConflictError && err.code === 'STALE_REVISION') || i >= MAX_ATTEMPTS) throw err;
    }
  }
}

/**
 * Writes a change if the plan is unchanged since it was read; returns the revision written.
 */
async function commit(plan: PlanDoc, set: Record<string, unknown>, expected?: number): Promise<number> {
  if (expected !== undefined && expected !== plan.revision)
    throw new ConflictError('the plan changed since you read it; read it again', 'STALE_REVISION');
  const res = await oneWriteAtATime(Plan, plan._id, () =>
    Plan.updateOne({ _id: plan._id, revision: plan.revision }, { $set: set, $inc: { revision: 1 } }),
  );
  if (res.matchedCount !== 1)
    throw new ConflictError('the plan changed since you read it; read it again', 'STALE_REVISION');
  return plan.revision + 1;
}

export interface GoalInput {
  indicator: string;
  segment?: string;
  description?: string;
  baselinePeriod?: string;
  target: { value: number; period: string };
}

/** A goal with its baseline taken from the organisation's data. */
async function goalFrom(
  input: GoalInput,
  organisationId: Types.ObjectId,
  groupId: Types.ObjectId | null,
  path: string,
) {
  const info = await indicatorInfo(input.indicator, `${path}/indicator`);
  if (info.reported && !groupId)
    throw new ValidationError('a reported figure needs the plan’s group', [
      {
        path: `${path}/indicator`,
        message: 'set the plan’s group: reported figures are signed off in a group',
      },
    ]);
  const measured = await measurementsOf(organisationId, groupId, info, input.segment ?? '*');
  const values = measured.values.sort((a, b) => periodMidpoint(a.period) - periodMidpoint(b.period));
  const baseline = input.baselinePeriod
    ? values.find((v) => v.period === input.baselinePeriod)
    : values.at(-1);
  if (!baseline) {
    const withheld = measured.withheld.find(
      (w) => !input.baselinePeriod || w.period === input.baselinePeriod,
    );
    throw new ValidationError('no baseline in the data', [
      {
        path: `${path}/baselinePeriod`,
        message: withheld
          ? `the value of ${input.indicator} for ${withheld.period} is not published (n ${withheld.n}, minimum ${withheld.minN}, or hidden to protect a smaller group): a goal starts from a published value`
          : input.baselinePeriod
            ? `no value of ${input.indicator} for ${input.baselinePeriod}`
            : `no value of ${input.indicator} has been measured yet`,
      },
    ]);
  }
  const problems = [];
  if (periodMidpoint(input.target.period) <= periodMidpoint(baseline.period))
    problems.push({
      path: `${path}/target/period`,
      message: `the target period must come after ${baseline.period}`,
    });
  const t = input.target.value;
  if (
    info.direction === 'higher'
      ? t <= baseline.value
      : info.direction === 'lower'
        ? t >= baseline.value
        : t === baseline.value
  )
    problems.push({
      path: `${path}/target/value`,
      message: `the target must improve on the baseline ${baseline.value} (${info.direction} is better)`,
    });
  if (problems.length) throw new ValidationError('the goal is inconsistent', problems);
  return {
    _id: new Types.ObjectId(),
    indicator: input.indicator,
    segment: input.segment ?? '*',
    description: input.description ?? '',
    baseline,
    target: input.target,
  };
}

export interface ActionInput {
  what: string;
  ownerRole?: string;
  start?: string;
  due?: string;
  status?: 'planned' | 'in_progress' | 'done' | 'dropped';
  goals?: string[];
  practices?: string[];
}

function actionFrom(input: ActionInput, plan: Pick<PlanDoc, 'goals'>, path: string) {
  const goalIds = new Set(plan.goals.map((g) => g._id.toHexString()));
  const unknown = (input.goals ?? []).findIndex((g) => !goalIds.has(g));
  if (unknown >= 0)
    throw new ValidationError('unknown goal', [
      { path: `${path}/goals/${unknown}`, message: 'no such goal in the plan' },
    ]);
  if (input.start && input.due && Date.parse(input.due) < Date.parse(input.start))
    throw new ValidationError('the action is due before it starts', [
      { path: `${path}/due`, message: 'before start' },
    ]);
  return {
    _id: new Types.ObjectId(),
    what: input.what,
    ownerRole: input.ownerRole ?? '',
    start: input.start ? new Date(input.start) : null,
    due: input.due ? new Date(input.due) : null,
    status: input.status ?? 'planned',
    goals: (input.goals ?? []).map((g) => new Types.ObjectId(g)),
    practices: input.practices ?? [],
  };
}

/** Creates a plan of the caller's organisation (admin), optionally within one of its groups. */
export async function createPlan(
  caller: AuthContext,
  body: {
    title: string;
    cycle?: string;
    group?: string;
    visibleToMembers?: boolean;
    nextReviewAt?: string;
    goals?: GoalInput[];
    actions?: ActionInput[];
  },
) {
  const organisationId = new Types.ObjectId(caller.organisationId!);
  let groupId: Types.ObjectId | null = null;
  if (body.group) {
    const access = await groupFor(caller, body.group);
    if (!access.member) throw new NotFoundError('group');
    groupId = access.group._id;
  }
  const goals = [];
  for (const [i, g] of (body.goals ?? []).entries())
    goals.push(await goalFrom(g, organisationId, groupId, `/goals/${i}`));
  const draft = { goals };
  const actions = (body.actions ?? []).map((a, i) => actionFrom(a, draft, `/actions/${i}`));
  const doc = await Plan.create({
    organisationId,
    groupId,
    title: body.title,
    cycle: body.cycle ?? '',
    visibleToMembers: body.visibleToMembers ?? false,
    nextReviewAt: body.nextReviewAt ? new Date(body.nextReviewAt) : null,
    goals,
    actions,
  });
  const created = doc.toObject() as PlanDoc;
  await auditPlan(caller, created, 'created', null, {
    ...planLine(created),
    goals: created.goals.map(goalLine),
    actions: created.actions.map(actionLine),
  });
  return getPlan(caller, doc._id.toHexString());
}

/** Changes the plan's title, cycle, sharing or next review date. */
export async function updatePlan(
  caller: AuthContext,
  id: string,
  body: {
    title?: string;
    cycle?: string;
    visibleToMembers?: boolean;
    nextReviewAt?: string | null;
    revision?: number;
  },
) {
  const { plan } = await planFor(caller, id, 'write');
  const set: Record<string, unknown> = {};
  if (body.title !== undefined) set.title = body.title;
  if (body.cycle !== undefined) set.cycle = body.cycle;
  if (body.visibleToMembers !== undefined) set.visibleToMembers = body.visibleToMembers;
  if (body.nextReviewAt !== undefined)
    set.nextReviewAt = body.nextReviewAt ? new Date(body.nextReviewAt) : null;
  const revision = await commit(plan, set, body.revision);
  await auditPlan(caller, plan, 'changed', planLine(plan), planLine({ ...plan, ...set, revision }));
  return getPlan(caller, id);
}

/** Adds a goal, its baseline taken from the data. */
export function addGoal(caller: AuthContext, id: string, input: GoalInput) {
  return afresh(async () => {
    const { plan } = await planFor(caller, id, 'write');
    const goal = await goalFrom(input, plan.organisationId, plan.groupId, '');
    const revision = await commit(plan, { goals: [...plan.goals, goal] });
    await auditPlan(
      caller,
      plan,
      'goal-added',
      { revision: plan.revision, goal: null },
      { revision, goal: goalLine(goal) },
    );
    return getPlan(caller, id);
  });
}

/** Removes a goal (and its links from actions). */
export function removeGoal(caller: AuthContext, id: string, goalId: string) {
  return afresh(async () => {
    const { plan } = await planFor(caller, id, 'write');
    const goal = plan.goals.find((g) => g._id.toHexString() === goalId);
    if (!goal) throw new NotFoundError('goal');
    const revision = await commit(plan, {
      goals: plan.goals.filter((g) => g !== goal),
      actions: plan.actions.map((a) => ({ ...a, goals: a.goals.filter((g) => g.toHexString() !== goalId) })),
    });
    await auditPlan(
      caller,
      plan,
      'goal-removed',
      { revision: plan.revision, goal: goalLine(goal) },
      { revision, goal: null },
    );
    return getPlan(caller, id);
  });
}

/** Adds an action. */
export function addAction(caller: AuthContext, id: string, input: ActionInput) {
  return afresh(async () => {
    const { plan } = await planFor(caller, id, 'write');
    const action = actionFrom(input, plan, '');
    const revision = await commit(plan, { actions: [...plan.actions, action] });
    await auditPlan(
      caller,
      plan,
      'action-added',
      { revision: plan.revision, action: null },
      { revision, action: actionLine(action) },
    );
    return getPlan(caller, id);
  });
}

/** Changes an action (its status, dates, text or links). */
export function updateAction(caller: AuthContext, id: string, actionId: string, input: Partial<ActionInput>) {
  return afresh(async () => {
    const { plan } = await planFor(caller, id, 'write');
    const current = plan.actions.find((a) => a._id.toHexString() === actionId);
    if (!current) throw new NotFoundError('action');
    const merged = actionFrom(
      {
        what: input.what ?? current.what,
        ownerRole: input.ownerRole ?? current.ownerRole,
        start: input.start ?? current.start?.toISOString(),
        due: input.due ?? current.due?.toISOString(),
        status: input.status ?? current.status,
        goals: input.goals ?? current.goals.map((g) => g.toHexString()),
        practices: input.practices ?? current.practices,
      },
      plan,
      '',
    );
    const changed = { ...merged, _id: current._id };
    const revision = await commit(plan, {
      actions: plan.actions.map((a) => (a === current ? changed : a)),
    });
    await auditPlan(
      caller,
      plan,
      'action-changed',
      { revision: plan.revision, action: actionLine(current) },
      { revision, action: actionLine(changed) },
    );
    return getPlan(caller, id);
  });
}

/** Records a dated review and, optionally, when the next one is due. */
export function addReview(caller: AuthContext, id: string, input: { note: string; nextReviewAt?: string }) {
  return afresh(async () => {
    const { plan } = await planFor(caller, id, 'write');
    const review = { at: new Date(), keyId: caller.keyId, note: input.note };
    const set: Record<string, unknown> = { reviews: [...plan.reviews, review] };
    if (input.nextReviewAt) set.nextReviewAt = new Date(input.nextReviewAt);
    const revision = await commit(plan, set);
    const next = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
    await auditPlan(
      caller,
      plan,
      'reviewed',
      { revision: plan.revision, reviews: plan.reviews.length, nextReviewAt: next(plan.nextReviewAt) },
      {
        revision,
        reviews: plan.reviews.length + 1,
        review: { at: review.at.toISOString(), note: review.note },
        nextReviewAt: next((set.nextReviewAt as Date | undefined) ?? plan.nextReviewAt),
      },
    );
    return getPlan(caller, id);
  });
}

/** Deletes a plan of the caller's organisation. */
export async function deletePlan(caller: AuthContext, id: string): Promise<void> {
  const { plan } = await planFor(caller, id, 'write');
  const res = await Plan.deleteOne({ _id: plan._id });
  // Deleted meanwhile by another request: that one records it.
  if (res.deletedCount !== 1) return;
  await auditPlan(
    caller,
    plan,
    'deleted',
    { ...planLine(plan), goals: plan.goals.map(goalLine), actions: plan.actions.map(actionLine) },
    null,
  );
}

/** Progress of a goal whose baseline is withheld from the caller: it would give the baseline away. */
const WITHHELD_PROGRESS: Progress = {
  status: 'withheld',
  latest: null,
  covered: null,
  elapsed: null,
  beyondNoise: null,
};

async function planView(access: PlanAccess) {
  const { plan, group, own } = access;
  const org = await Organisation.findById(plan.organisationId).lean<OrganisationDoc>();
  const goals = [];
  for (const g of plan.goals) {
    // An indicator since removed from the catalogue shows without its figures; an outage is an outage.
    const info = await indicatorInfo(g.indicator).catch((err: unknown) => {
      if (err instanceof ValidationError) return null;
      throw err;
    });
    const measured = info
      ? await measurementsOf(plan.organisationId, plan.groupId, info, g.segment)
      : { values: [], withheld: [] };
    // A baseline whose period's value is not published now (a survey value suppressed since: more
    // segments, a hidden neighbour; a reported figure whose return was reopened), or that was
    // itself taken on fewer answers than the minimum (a goal set before baselines had to be
    // published), is not shown to other organisations.
    const baselineWithheld =
      !own &&
      !!info &&
      (!measured.values.some((m) => m.period === g.baseline.period) ||
        (!info.reported && g.baseline.n !== null && info.minN !== undefined && g.baseline.n < info.minN));
    const progress = baselineWithheld
      ? WITHHELD_PROGRESS
      : goalProgress({
          baseline: g.baseline,
          target: g.target,
          direction: info?.direction ?? 'neutral',
          measurements: measured.values,
        });
    goals.push({
      id: g._id.toHexString(),
      indicator: g.indicator,
      title: info?.title ?? { default: g.indicator },
      kind: info?.kind ?? '',
      unit: info?.unit ?? '',
      direction: info?.direction ?? 'neutral',
      segment: g.segment,
      description: g.description,
      baseline: baselineWithheld
        ? { period: g.baseline.period, value: null, low: null, high: null, n: null }
        : g.baseline,
      target: g.target,
      progress,
    });
  }
  return {
    id: plan._id.toHexString(),
    organisation: { slug: org?.slug ?? '', name: org?.name ?? '' },
    group: group?.slug ?? null,
    title: plan.title,
    cycle: plan.cycle,
    visibleToMembers: plan.visibleToMembers,
    nextReviewAt: plan.nextReviewAt?.toISOString() ?? null,
    reviewDue: !!plan.nextReviewAt && plan.nextReviewAt.getTime() <= Date.now(),
    revision: plan.revision,
    goals,
    actions: plan.actions.map((a) => ({
      id: a._id.toHexString(),
      what: a.what,
      ownerRole: a.ownerRole,
      start: a.start?.toISOString() ?? null,
      due: a.due?.toISOString() ?? null,
      status: a.status,
      overdue: !!a.due && a.due.getTime() < Date.now() && a.status !== 'done' && a.status !== 'dropped',
      goals: a.goals.map((g) => g.toHexString()),
      practices: a.practices,
    })),
    reviews: plan.reviews.map((r) => ({ at: r.at.toISOString(), note: r.note })),
  };
}

export type PlanView = Awaited<ReturnType<typeof planView>>;

/** One plan with each goal's progress computed from the values measured since its baseline. */
export async function getPlan(caller: AuthContext, id: string): Promise<PlanView> {
  return planView(await planFor(caller, id, 'read'));
}

/** A page of the plans the caller may see: its own, and those of the groups it coordinates or shares. */
export async function listPlans(caller: AuthContext, q: { group?: string } & PageRequest) {
  // Groups are few; which plans the caller sees is decided here, as for one plan, reading plans
  // in order until the page is full.
  const groups = await Group.find().lean<GroupDoc[]>();
  const byId = new Map(groups.map((g) => [g._id.toHexString(), g]));
  const groupOf = (plan: PlanDoc) => (plan.groupId ? (byId.get(plan.groupId.toHexString()) ?? null) : null);
  const found: PlanDoc[] = [];
  for await (const plan of Plan.find(afterCursor(q.cursor)).sort({ _id: 1 }).lean<PlanDoc[]>().cursor()) {
    const group = groupOf(plan);
    if (q.group && group?.slug !== q.group) continue;
    if (!visible(caller, plan, group)) continue;
    found.push(plan);
    if (found.length > q.limit) break;
  }
  const page = toPage(found, q.limit, (plan) => plan);
  const items = [];
  for (const plan of page.items) {
    const own = plan.organisationId.toHexString() === caller.organisationId;
    items.push(await planView({ plan, group: groupOf(plan), own }));
  }
  return { items, nextCursor: page.nextCursor };
}

/**
 * Sends `plan.review_due` once for each plan whose review date has come (to its organisation and
 * its group's coordinators). Returns how many were sent.
 */
export async function notifyDueReviews(events: EventSink, now = new Date()): Promise<number> {
  const plans = await Plan.find().lean<PlanDoc[]>();
  let sent = 0;
  for (const plan of plans) {
    const due = plan.nextReviewAt;
    if (!due || due > now || plan.reviewNotifiedFor?.getTime() === due.getTime()) continue;
    // Claim the notification first, so two sweeps never send it twice.
    const claimed = await oneWriteAtATime(Plan, plan._id, () =>
      Plan.updateOne(
        { _id: plan._id, revision: plan.revision },
        { $set: { reviewNotifiedFor: due }, $inc: { revision: 1 } },
      ),
    );
    if (claimed.matchedCount !== 1) continue;
    const stored = plan.groupId ? await Group.findById(plan.groupId).lean<GroupDoc>() : null;
    const group = stored && ownerInGroup(plan, stored) ? stored : null;
    await events.emit({
      type: 'plan.review_due',
      organisationIds: [
        plan.organisationId.toHexString(),
        ...(group?.coordinators.map((c) => c.toHexString()) ?? []),
      ],
      data: { planId: plan._id.toHexString(), title: plan.title, nextReviewAt: due.toISOString() },
    });
    sent++;
  }
  return sent;
}
