import path from 'node:path';
import { Piscina } from 'piscina';
import { AppError } from '../errors';
import type { AnswerCheck, FileLimits } from '../modules/responses/answer-validator';
import type { DefinitionReport } from '../modules/surveys/definition-validator';
import type { AnswersTask, DefinitionTask } from './validation.worker';

/** How long one check may run before its thread is stopped and the request refused. */
const BUDGET_MS = { definition: 15000, answers: 3000 };

let pool: Piscina | null = null;

function threads(): Piscina {
  if (!pool) {
    const compiled = __filename.endsWith('.js');
    pool = new Piscina({
      filename: path.join(__dirname, compiled ? 'validation.worker.js' : 'ts-worker.cjs'),
      minThreads: 1,
      maxThreads: 2,
      idleTimeout: 60000,
    });
  }
  return pool;
}

async function run<T>(kind: keyof typeof BUDGET_MS, task: DefinitionTask | AnswersTask): Promise<T> {
  const name = kind === 'definition' ? 'checkDefinition' : 'checkAnswers';
  try {
    return (await threads().run(task, { name, signal: AbortSignal.timeout(BUDGET_MS[kind]) })) as T;
  } catch (err) {
    if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') {
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

/** Answers against a pinned version's stored definition text; see validateAnswers. */
export function checkAnswersOffThread(
  definition: string,
  answers: Record<string, unknown>,
  lang: string,
  files: FileLimits,
): Promise<AnswerCheck> {
  return run('answers', { definition, answers, lang, files });
}

/** Stops the worker threads (shutdown, end of a CLI command). */
export async function closeValidation(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await p.destroy();
}
