/**
 * Normalisation and tokenising for the practice search. Pure, so the same words are produced
 * when an entry is stored and when a query is read, on any database.
 *
 * The search does not rely on a text index (FerretDB has none): each entry stores its tokens'
 * prefixes as a plain array, and a query is one equality match of every query word against it
 * (`$all` of strings), which MongoDB and FerretDB answer the same way. (`$all` of regular
 * expressions is not an option: FerretDB 1.24 silently matches nothing with it.)
 */

/** Shortest stored prefix: shorter query words must match a whole token. */
export const MIN_PREFIX = 3;
/** Longest stored prefix; longer query words are matched on this many characters, then checked. */
export const MAX_PREFIX = 24;
/** Query words beyond this many are ignored. */
export const MAX_QUERY_WORDS = 10;

const LATIN = /\p{Script=Latin}/u;
const MARK = /\p{M}/u;
// Apostrophes of every kind separate words the same way; U+02BC (used in Ukrainian) is a
// letter to Unicode, so without this "під'їзд" and "підʼїзд" would tokenise differently.
const APOSTROPHES = /['\u2018\u2019\u02BC\u02B9\u0060\u00B4]/gu;
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/u;

/**
 * Text as it is compared: Unicode NFKC (ligatures, full-width and compatibility forms), lower
 * case, then Latin letters lose their diacritics (ą → a, ü → u, and ł → l, which has none to
 * strip); Cyrillic keeps й and ї (dropping their marks is not the convention) and maps ё → е;
 * other scripts (Georgian has no case) are left as they are.
 */
export function normalise(text: string): string {
  const lower = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(APOSTROPHES, ' ')
    .replace(/ł/g, 'l')
    .replace(/ё/g, 'е');
  let out = '';
  let afterLatin = false;
  for (const ch of lower.normalize('NFD')) {
    if (MARK.test(ch)) {
      if (!afterLatin) out += ch;
      continue;
    }
    afterLatin = LATIN.test(ch);
    out += ch;
  }
  return out.normalize('NFC');
}

/** The words of a text, normalised, in order (repeats kept). */
export function tokenise(text: string): string[] {
  return normalise(text)
    .split(SEPARATORS)
    .filter((t) => t.length > 0);
}

/** Unique words of several texts. */
export function uniqueTokens(texts: readonly string[]): string[] {
  return [...new Set(texts.flatMap(tokenise))];
}

/**
 * What a token is found by: the token itself and its prefixes of {@link MIN_PREFIX} to
 * {@link MAX_PREFIX} characters (code points, so no character is cut in half).
 */
export function prefixesOf(token: string): string[] {
  const chars = Array.from(token);
  const out = [token];
  for (let k = MIN_PREFIX; k <= Math.min(chars.length - 1, MAX_PREFIX); k++)
    out.push(chars.slice(0, k).join(''));
  return out;
}

/** The stored search terms of an entry: every prefix of every token, once. */
export function searchTerms(tokens: readonly string[]): string[] {
  return [...new Set(tokens.flatMap(prefixesOf))];
}

/** The words of a query, unique, at most {@link MAX_QUERY_WORDS}. */
export function queryWords(q: string): string[] {
  return [...new Set(tokenise(q))].slice(0, MAX_QUERY_WORDS);
}

/** The stored term a query word is looked up by (its first {@link MAX_PREFIX} characters). */
export function termOf(word: string): string {
  const chars = Array.from(word);
  return chars.length > MAX_PREFIX ? chars.slice(0, MAX_PREFIX).join('') : word;
}

/** Whether a query word finds a token: the whole token, or its beginning for words of 3+ characters. */
export function wordMatches(word: string, token: string): boolean {
  if (word === token) return true;
  return Array.from(word).length >= MIN_PREFIX && token.startsWith(word);
}

/** The tokens of an entry by where they stand; the weights rank title over summary over the rest. */
export interface FieldTokens {
  title: readonly string[];
  summary: readonly string[];
  /** Body and topics. */
  other: readonly string[];
}

/** Weights of a query word found in the title, the summary, the body or topics. */
export const FIELD_WEIGHTS = { title: 3, summary: 2, other: 1 } as const;

/**
 * The rank of an entry for the query words: for each word, the weights of the fields it is found
 * in, added up. 0 when some word is found nowhere (the entry does not match).
 */
export function rank(fields: FieldTokens, words: readonly string[]): number {
  let score = 0;
  for (const word of words) {
    let found = 0;
    for (const field of ['title', 'summary', 'other'] as const) {
      if (fields[field].some((t) => wordMatches(word, t))) found += FIELD_WEIGHTS[field];
    }
    if (found === 0) return 0;
    score += found;
  }
  return score;
}
