import path from 'node:path';
import { Piscina } from 'piscina';
import { AppError } from '../errors';
import type { AnswerCheck, FileLimits } from '../modules/responses/answer-validator';
import type { DefinitionReport } from '../modules/surveys/definition-validator';
import {
  type checkAnswersBatch,
  isReusableDefinition,
  NEEDS_DEFINITION,
  type AnswersTask,
  type DefinitionTask,
} from './validation.worker';

/** How long one check may run before its thread is stopped and the request refused. */
const BUDGET_MS = { definition: 15000, answers: 5000 };

/**
 * Validation threads. All start with the pool and stay: a thread takes most of a second to start
 * (survey-core loads, then each pinned version's model is built), which a request that found
 * every thread busy would otherwise wait for after each quiet minute.
 */
const THREADS = 2;

let pool: Piscina | null = null;

function threads(): Piscina {
  if (!pool) {
    const compiled = __filename.endsWith('.js');
    pool = new Piscina({
      filename: path.join(__dirname, compiled ? 'validation.worker.js' : 'ts-worker.cjs'),
      minThreads: THREADS,
      maxThreads: THREADS,
    });
  }
  return pool;
}

/** Starts the validation threads now (a listening API), rather than at the first check. */
export function startValidation(): void {
  threads();
}

/** Ids of the running validation threads. */
export function validationThreadIds(): number[] {
  return pool ? pool.threads.map((t) => t.threadId) : [];
}

/** Tasks the validation threads have finished (a batch of answer checks counts once). */
export function validationTasksCompleted(): number {
  return pool ? pool.completed : 0;
}

/** Checks waiting beyond this many are refused at once (503): the service is saturated. */
const MAX_WAITING = 256;

const busy = () =>
  new AppError(503, 'BUSY', 'the service is busy; try again in a moment', [], { 'Retry-After': '2' });

const isTimeout = (err: unknown) =>
  (err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError';

async function run<T>(kind: keyof typeof BUDGET_MS, task: DefinitionTask | AnswersTask): Promise<T> {
  const name = kind === 'definition' ? 'checkDefinition' : 'checkAnswers';
  if (threads().queueSize >= MAX_WAITING) throw busy();
  const waitingAhead = threads().queueSize;
  try {
    return (await threads().run(task, { name, signal: AbortSignal.timeout(BUDGET_MS[kind]) })) as T;
  } catch (err) {
    // Out of time behind other checks: the service is saturated, not the input at fault.
    if (isTimeout(err) && (waitingAhead > 0 || threads().queueSize > 0)) throw busy();
    if (isTimeout(err)) {
      throw new AppError(
        422,
        'VALIDATION_TIMEOUT',
        `checking the ${kind} took longer than ${BUDGET_MS[kind]} ms`,
      );
    }
    throw err;
  }
}

type AnswersOutcome = AnswerCheck | typeof NEEDS_DEFINITION;
type BatchOutcome = ReturnType<typeof checkAnswersBatch>[number];

interface WaitingCheck {
  task: AnswersTask;
  since: number;
  resolve: (outcome: AnswersOutcome) => void;
  reject: (err: unknown) => void;
}

/** Answer checks not yet handed to a thread, and the batches the threads are working on. */
const waiting: WaitingCheck[] = [];
let batchesRunning = 0;
/** Most checks one thread takes at once. */
const BATCH_MAX = 16;
/** A check that waited this long for a thread is refused (503): the service is saturated. */
const MAX_WAIT_MS = BUDGET_MS.answers;

/**
 * Answer checks on a kept model go to the threads in batches: each free thread takes every such
 * check waiting then (up to BATCH_MAX), so under load one message and one wake-up carry many
 * checks, and when the service is quiet a check leaves at once, alone.
 */
function dispatch(): void {
  while (batchesRunning < THREADS && waiting.length) {
    const now = performance.now();
    const batch = waiting.splice(0, BATCH_MAX).filter((w) => {
      const late = now - w.since > MAX_WAIT_MS;
      if (late) w.reject(busy());
      return !late;
    });
    if (!batch.length) continue;
    batchesRunning++;
    void runBatch(batch).finally(() => {
      batchesRunning--;
      dispatch();
    });
  }
}

/**
 * One batch on one thread, within one check's budget. A batch of several that fails as a whole
 * while it ran alone (out of time, or its thread lost) is split: each check then runs alone within
 * its own budget, so only a check that fails by itself is refused. Out of time behind other work,
 * the whole batch is refused as BUSY, as a lone check is.
 */
async function runBatch(batch: WaitingCheck[]): Promise<void> {
  const p = threads();
  if (batch.length > 1) {
    const behind = p.queueSize > 0;
    try {
      const outcomes = (await p.run(
        batch.map((w) => w.task),
        { name: 'checkAnswersBatch', signal: AbortSignal.timeout(BUDGET_MS.answers) },
      )) as BatchOutcome[];
      batch.forEach((w, i) => {
        const outcome = outcomes[i]!;
        if (typeof outcome === 'object' && 'failed' in outcome) w.reject(new Error(outcome.failed));
        else w.resolve(outcome);
      });
      return;
    } catch (err) {
      const closed = pool !== p;
      if (closed || (isTimeout(err) && (behind || p.queueSize > 0))) {
        for (const w of batch) w.reject(closed ? err : busy());
        return;
      }
    }
  }
  for (const w of batch) {
    if (pool !== p) w.reject(busy());
    else await run<AnswersOutcome>('answers', w.task).then(w.resolve, w.reject);
  }
}

/** An answer check on a thread's kept model (no definition): it waits for the next batch. */
function checkAnswersQueued(task: Omit<AnswersTask, 'definition'>): Promise<AnswersOutcome> {
  if (waiting.length >= MAX_WAITING) return Promise.reject(busy());
  return new Promise((resolve, reject) => {
    waiting.push({ task, since: performance.now(), resolve, reject });
    dispatch();
  });
}

/**
 * Definition and answer checks run on worker threads: survey-core builds every element
 * eagerly and runs author-written expressions, so the event loop (and /healthz) never waits
 * on them, and a check over its budget is stopped rather than left to run.
 */
export function checkDefinitionOffThread(
  definition: unknown,
  languages?: string[],
): Promise<DefinitionReport> {
  return run('definition', { definition, languages });
}

/** Per pinned version: whether its threads keep a model of it (then the text need not travel). */
const reusable = new Map<string, boolean>();

/**
 * Answers against a pinned version's stored definition text; see validateAnswers. `key` names
 * the version. A thread that keeps the version's model is sent only the answers: copying the
 * definition to the thread would cost more than the check.
 */
export async function checkAnswersOffThread(
  key: string,
  definition: string,
  answers: Record<string, unknown>,
  lang: string,
  files: FileLimits,
): Promise<AnswerCheck> {
  let kept = reusable.get(key);
  if (kept === undefined) {
    kept = isReusableDefinition(definition);
    reusable.set(key, kept);
    if (reusable.size > 10_000) reusable.delete(reusable.keys().next().value!);
  }
  if (kept) {
    const quick = await checkAnswersQueued({ key, answers, lang, files });
    if (quick !== NEEDS_DEFINITION) return quick;
  }
  // A check that carries its definition (a thread's first of a version, or a definition whose
  // model is built afresh every time) goes alone: its text is copied once, and building the model
  // is most of its cost.
  return run('answers', { key, definition, answers, lang, files });
}

/** Stops the worker threads (shutdown, end of a CLI command). */
export async function closeValidation(): Promise<void> {
  const p = pool;
  pool = null;
  for (const w of waiting.splice(0)) w.reject(busy());
  if (p) await p.destroy();
}
