import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every console message exists in all five languages, with the same placeholders. */
type Messages = { [key: string]: string | Messages };

const LOCALES = path.join(__dirname, '..', '..', 'console', 'locales');
const AREAS = readdirSync(LOCALES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

/** A language's messages as the console merges them: the frame's file and each area's. */
function load(lang: string): Messages {
  const files = [
    path.join(LOCALES, `${lang}.json`),
    ...AREAS.map((a) => path.join(LOCALES, a, `${lang}.json`)),
  ];
  const merged: Messages = {};
  for (const file of files) {
    const messages = JSON.parse(readFileSync(file, 'utf8')) as Messages;
    for (const key of Object.keys(messages)) {
      // Each file owns its top-level keys: a second file with the same key would hide the first.
      if (key in merged) throw new Error(`${file} repeats the top-level key ${key}`);
    }
    Object.assign(merged, messages);
  }
  return merged;
}

const en = load('en');

function flatten(messages: Messages, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === 'string') out.set(`${prefix}${key}`, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
const english = flatten(en);

describe.each(['pl', 'uk', 'ru', 'ka'])('console messages in %s', (lang) => {
  const translated = flatten(load(lang));

  it('has exactly the English keys', () => {
    expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('keeps every placeholder and leaves nothing empty', () => {
    for (const [key, text] of english) {
      expect({ key, placeholders: placeholders(translated.get(key) ?? '') }).toEqual({
        key,
        placeholders: placeholders(text),
      });
      expect(translated.get(key)?.trim()).toBeTruthy();
    }
  });
});
