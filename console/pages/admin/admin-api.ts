import type { ApiProblem } from '../../api';

/** One problem the API named, addressed by a JSON Pointer into the request body. */
export type Problem = ApiProblem;

/** A localisable text of a SurveyJS definition: plain, or per language with `default`. */
export type LocalText = string | Record<string, string>;

/** An entry of the indicator mapping (see the API's `mappingSchema`). */
export interface MappingEntry {
  indicator: string;
  question: string;
  row?: string | number;
  column?: string;
  item?: string;
  valueMap?: Record<string, string | number>;
}

/** A survey as GET /api/v1/surveys lists it. */
export interface SurveySummary {
  id: string;
  slug: string;
  title: string;
  organisationId: string | null;
  shared: boolean;
  /** 0 while nothing is published. */
  latestVersion: number;
  template: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A survey with its draft (GET /api/v1/surveys/{id}, PUT …/draft). */
export interface SurveyDetail extends SurveySummary {
  draft: {
    definition: Record<string, unknown>;
    indicatorMapping: MappingEntry[];
    languages: string[];
    basedOnVersion: number;
    /** Goes up with each save; a save names the one it edited. */
    revision: number;
    updatedAt: string;
  };
  warnings: Problem[];
}

/** A published version, exactly as published. */
export interface SurveyVersion {
  surveyId: string;
  version: number;
  title: string;
  definition: Record<string, unknown>;
  indicatorMapping: MappingEntry[];
  languages: string[];
  contentHash: string;
  publishedAt: string;
  publishedBy: string | null;
}

/** A built-in questionnaire (GET /api/v1/templates). */
export interface Template {
  slug: string;
  title: Record<string, string>;
  description: Record<string, string>;
  languages: string[];
  definition: Record<string, unknown>;
  indicatorMapping: MappingEntry[];
}

/** What POST /api/v1/surveys/validate answers when nothing blocks. */
export interface ValidateResult {
  ok: true;
  warnings: Problem[];
}

/** A localisable text in a language: that language, else the default, else English, else any. */
export function localText(text: LocalText | undefined, lang: string): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text.default ?? text.en ?? Object.values(text)[0] ?? '';
}
