import en from '../../console/locales/en.json';
import ka from '../../console/locales/ka.json';
import pl from '../../console/locales/pl.json';
import ru from '../../console/locales/ru.json';
import uk from '../../console/locales/uk.json';

/** Every console message exists in all five languages, with the same placeholders. */
type Messages = { [key: string]: string | Messages };

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

describe.each([
  ['pl', pl],
  ['uk', uk],
  ['ru', ru],
  ['ka', ka],
])('console messages in %s', (_lang, messages) => {
  const translated = flatten(messages as Messages);

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
