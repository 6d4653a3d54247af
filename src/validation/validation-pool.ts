import path from 'node:path';
import { Piscina } from 'piscina';
import { AppError } from '../errors';
import type { AnswerCheck, FileLimits } from '../modules/responses/answer-validator';
import type { DefinitionReport } from '../modules/surveys/definition-validator';
import {
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

/** Checks waiting beyond this many are refused at once (503): the service is saturated. */
const MAX_WAITING = 256;

async function run<T>(kind: keyof typeof BUDGET_MS, task: DefinitionTask | AnswersTask): Promise<T> {
  const name = kind === 'definition' ? 'checkDefinition' : 'checkAnswers';
  if (threads().queueSize >= MAX_WAITING) {
    throw new AppError(503, 'BUSY', 'the service is busy; try again in a moment', [], { 'Retry-After': '2' });
  }
  const waitingAhead = threads().queueSize;
  try {
    return (await threads().run(task, { name, signal: AbortSignal.timeout(BUDGET_MS[kind]) })) as T;
  } catch (err) {
    const timedOut = (err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError';
    // Out of time behind other checks: the service is saturated, not the input at fault.
    if (timedOut && (waitingAhead > 0 || threads().queueSize > 0)) {
      throw new AppError(503, 'BUSY', 'the service is busy; try again in a moment', [], {
        'Retry-After': '2',
      });
    }
    if (timedOut) {
      throw new AppError(
        422,
        'VALIDATION_TIMEOUT',
        `checking the ${kind} took longer than ${BUDGET_MS[kind]} ms`,
      );
    }
    throw err;
  }
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
    const quick = await run<AnswerCheck | typeof NEEDS_DEFINITION>('answers', { key, answers, lang, files });
    if (quick !== NEEDS_DEFINITION) return quick;
  }
  return run('answers', { key, definition, answers, lang, files });
}

/** Stops the worker threads (shutdown, end of a CLI command). */
export async function closeValidation(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await p.destroy();
}
