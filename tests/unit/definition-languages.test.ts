import { validateDefinition } from '../../src/modules/surveys/definition-validator';

const q = (title: unknown) => ({ elements: [{ type: 'text', name: 'a', title }] });

describe('a survey’s languages default to those its definition is written in', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['plain texts, no locale', q('Title'), ['en']],
    ['plain texts in a Polish survey', { locale: 'pl', ...q('Tytuł') }, ['pl']],
    ['default and Polish texts', q({ default: 'Title', pl: 'Tytuł' }), ['en', 'pl']],
    [
      'a Georgian survey with an English translation',
      { locale: 'ka', ...q({ default: 'სათაური', en: 'Title' }) },
      ['ka', 'en'],
    ],
    [
      'a German survey translated into Ukrainian and Russian',
      { locale: 'de', ...q({ default: 'Titel', uk: 'Назва', ru: 'Название' }) },
      ['de', 'uk', 'ru'],
    ],
  ])('%s', (_label, definition, languages) => {
    const report = validateDefinition(definition);
    expect(report.errors).toEqual([]);
    expect(report.languages).toEqual(languages);
  });
});
