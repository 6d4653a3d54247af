import { check } from 'recheck';
import { validateAnswers, type AnswerCheck, type FileLimits } from '../modules/responses/answer-validator';
import { validateDefinition, type DefinitionReport } from '../modules/surveys/definition-validator';

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
  definition: string;
  answers: Record<string, unknown>;
  lang: string;
  files: FileLimits;
}

/**
 * Validates a tenant's answers against a pinned version (see validateAnswers). The text is
 * parsed afresh each time: survey-core fills in the JSON it loads, so a parsed copy is not
 * reusable.
 */
export function checkAnswers(task: AnswersTask): AnswerCheck {
  const definition = JSON.parse(task.definition) as Record<string, unknown>;
  return validateAnswers(definition, task.answers, task.lang, task.files);
}
