import { check } from 'recheck';
import { validateAnswers, type AnswerCheck, type FileLimits } from '../modules/responses/answer-validator';
import { validateDefinition, type DefinitionReport } from '../modules/surveys/definition-validator';
import { ServerSurvey } from '../modules/surveys/survey-engine';

/** How long the ReDoS check may study one pattern before it counts as unsafe. */
const PATTERN_CHECK_MS = 2000;

/** Task of {@link checkDefinition}. */
export interface DefinitionTask {
  definition: unknown;
  languages?: string[];
}

/**
 * Validates a definition, then proves each regular expression free of catastrophic
 * backtracking (recheck); a tenant's phone runs them with its own engine.
 */
export async function checkDefinition(task: DefinitionTask): Promise<DefinitionReport> {
  const report = validateDefinition(task.definition, task.languages);
  for (const use of report.patterns) {
    const result = await check(use.pattern, use.flags, { timeout: PATTERN_CHECK_MS });
    if (result.status === 'vulnerable') {
      report.errors.push({
        path: use.path,
        message: `this pattern can take ${result.complexity.type === 'exponential' ? 'exponential' : 'polynomial'} time on some answers (e.g. ${JSON.stringify(result.attack.string.slice(0, 40))}…); rewrite it without nested or overlapping repetition`,
      });
    } else if (result.status === 'unknown') {
      report.errors.push({
        path: use.path,
        message: 'this pattern could not be shown safe in time; simplify it',
      });
    }
  }
  if (report.errors.length) report.questions = [];
  return report;
}

/** Task of {@link checkAnswers}: the pinned version's definition as stored (JSON text). */
export interface AnswersTask {
  /** Names the pinned version (survey and number): a version's text never changes. */
  key: string;
  /** Left out when the thread probably has the version's model already (see checkAnswersOffThread). */
  definition?: string;
  answers: Record<string, unknown>;
  lang: string;
  files: FileLimits;
}

/** The answer when a task came without its definition and this thread has no model of it. */
export const NEEDS_DEFINITION = 'needs-definition';

/** Built models per pinned version, most recently used last, with whether reuse needs a clear. */
const models = new Map<string, { model: ServerSurvey; clear: boolean }>();
const MAX_MODELS = 64;

/**
 * Whether one survey-core model can judge answer set after answer set of this definition,
 * cleared in between, exactly as a freshly built one would. Not for dynamic panels and dynamic
 * matrices: clearing a model drops the rows and panels they start with. The equivalence is
 * tested over the SurveyJS corpus (tests/unit/model-reuse.test.ts).
 */
export function isReusableDefinition(text: string): boolean {
  return !/"type"\s*:\s*"(paneldynamic|matrixdynamic)"/i.test(text);
}

/**
 * Whether setting the next answers alone resets a reused model: not when the definition gives
 * values of its own (defaults, values set by conditions, triggers, calculated values), which only
 * a full clear puts back.
 */
function needsClear(text: string): boolean {
  return /"(defaultValue\w*|defaultRowValue|defaultPanelValue|setValueIf|setValueExpression|resetValueIf|triggers|calculatedValues|correctAnswer)"/.test(
    text,
  );
}

/**
 * Validates a tenant's answers against a pinned version (see validateAnswers). A version's
 * survey-core model is built once per thread and reused (building it is most of the cost), except
 * for definitions {@link isReusableDefinition} rules out, which get a fresh model each time.
 */
export function checkAnswers(task: AnswersTask): AnswerCheck | typeof NEEDS_DEFINITION {
  const cached = models.get(task.key);
  if (!cached && task.definition === undefined) return NEEDS_DEFINITION;
  // Taken out while in use: a check that throws leaves no half-used model behind.
  models.delete(task.key);
  if (cached?.clear) cached.model.clear(true, true);
  const text = task.definition ?? '';
  const model = cached?.model ?? new ServerSurvey(JSON.parse(text) as Record<string, unknown>);
  const result = validateAnswers(model, task.answers, task.lang, task.files);
  if (cached || isReusableDefinition(text)) {
    models.set(task.key, cached ?? { model, clear: needsClear(text) });
    if (models.size > MAX_MODELS) models.delete(models.keys().next().value!);
  }
  return result;
}

/**
 * Several answer checks in one message (see the validation pool's batches): each outcome in
 * its place, a check that threw as its message, so one bad check fails alone.
 */
export function checkAnswersBatch(
  tasks: AnswersTask[],
): Array<AnswerCheck | typeof NEEDS_DEFINITION | { failed: string }> {
  return tasks.map((task) => {
    try {
      return checkAnswers(task);
    } catch (err) {
      return { failed: err instanceof Error ? err.message : String(err) };
    }
  });
}
